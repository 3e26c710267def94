package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Fanotify;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The fanotify metadata decoder of permission events against well-formed batches, and against any bytes at all. */
class PermissionRecordsPropertyTest {

    /** A header followed by {@code extra} bytes that {@code event_len} covers (info records the decoder skips). */
    record Encoded(PermissionRecords.Header header, int extra) {
    }

    @Property(tries = 500)
    void wellFormedBatchesDecodeToWhatWasEncoded(@ForAll("records") @Size(max = 30) List<Encoded> records) throws Exception {
        ByteBuffer batch = encode(records);
        List<PermissionRecords.Header> decoded = new ArrayList<>();
        while (batch.hasRemaining()) {
            decoded.add(PermissionRecords.next(batch));
        }
        assertThat(decoded).isEqualTo(records.stream().map(Encoded::header).toList());
    }

    /**
     * Any bytes at all: each record returned consumes at least a header and stays within the
     * limit, or the decoder stops with {@link MalformedRecordException}. The batch is a slice whose
     * capacity ends at the bytes read, so a read past the limit would throw and fail the property.
     */
    @Property(tries = 2000)
    void anyBytesDecodeToRecordsOrAMalformedRecordErrorWithoutReadingPastTheLimit(@ForAll @Size(max = 200) byte[] bytes) {
        ByteBuffer batch = ByteBuffer.wrap(bytes).slice().order(ByteOrder.nativeOrder());
        int records = 0;
        try {
            while (batch.hasRemaining()) {
                int before = batch.position();
                PermissionRecords.next(batch);
                assertThat(batch.position()).isGreaterThanOrEqualTo(before + Fanotify.METADATA_SIZE)
                        .isLessThanOrEqualTo(batch.limit());
                records++;
            }
        } catch (MalformedRecordException e) {
            assertThat(e).hasMessageContaining("fanotify record at offset");
        }
        assertThat(records).isLessThanOrEqualTo(bytes.length / Fanotify.METADATA_SIZE);
    }

    @Property(tries = 200)
    void aTruncatedRecordIsReportedNotGuessed(@ForAll("records") @Size(min = 1, max = 5) List<Encoded> records,
            @ForAll @IntRange(min = 1, max = 23) int cutBy) {
        ByteBuffer full = encode(records);
        ByteBuffer cut = full.limit(full.limit() - cutBy).slice().order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> {
            while (cut.hasRemaining()) {
                PermissionRecords.next(cut);
            }
        }).isInstanceOf(MalformedRecordException.class);
    }

    @Property(tries = 100)
    void anotherMetadataVersionIsRefusedNamingBoth(@ForAll @IntRange(min = 0, max = 255) int version) {
        ByteBuffer b = encode(List.of(new Encoded(new PermissionRecords.Header(Fanotify.FAN_OPEN_PERM, 7, 42), 0)));
        b.put(4, (byte) version);
        if (version == Fanotify.METADATA_VERSION) {
            return;
        }
        assertThatThrownBy(() -> PermissionRecords.next(b)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("version " + version).hasMessageContaining("version " + Fanotify.METADATA_VERSION);
    }

    @Provide
    Arbitrary<List<Encoded>> records() {
        Arbitrary<Long> masks = Arbitraries.of(Fanotify.FAN_OPEN_PERM, Fanotify.FAN_ACCESS_PERM, Fanotify.FAN_OPEN_EXEC_PERM,
                Fanotify.FAN_Q_OVERFLOW, Fanotify.FAN_OPEN_PERM | Fanotify.FAN_ONDIR, 0L, -1L);
        Arbitrary<PermissionRecords.Header> headers = Combinators.combine(masks, Arbitraries.integers().between(-1, 100_000),
                Arbitraries.integers().between(0, 4_194_304)).as(PermissionRecords.Header::new);
        return Combinators.combine(headers, Arbitraries.integers().between(0, 40).map(n -> n * 4)).as(Encoded::new).list();
    }

    /** Lays records out as the kernel does: the 24-byte metadata, then what {@code event_len} adds. */
    static ByteBuffer encode(List<Encoded> records) {
        ByteBuffer b = ByteBuffer.allocate(records.size() * (Fanotify.METADATA_SIZE + 160)).order(ByteOrder.nativeOrder());
        for (Encoded e : records) {
            PermissionRecords.Header h = e.header();
            b.putInt(Fanotify.METADATA_SIZE + e.extra()).put((byte) Fanotify.METADATA_VERSION).put((byte) 0)
                    .putShort((short) Fanotify.METADATA_SIZE).putLong(h.mask()).putInt(h.fd()).putInt(h.pid());
            for (int i = 0; i < e.extra(); i++) {
                b.put((byte) 0x5a);
            }
        }
        return b.flip();
    }
}
