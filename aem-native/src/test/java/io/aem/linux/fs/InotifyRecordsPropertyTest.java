package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The inotify decoder against well-formed batches, and against any bytes at all. */
class InotifyRecordsPropertyTest {

    @Property(tries = 500)
    void wellFormedBatchesDecodeToWhatWasEncoded(@ForAll("records") @Size(max = 30) List<InotifyRecord> records)
            throws Exception {
        ByteBuffer batch = encode(records);
        List<InotifyRecord> decoded = new ArrayList<>();
        while (batch.hasRemaining()) {
            decoded.add(InotifyRecords.next(batch));
        }
        assertThat(decoded).isEqualTo(records);
    }

    /**
     * Any bytes at all: the decoder returns records that each consume at least a header, or
     * stops with {@link MalformedRecordException}. The batch is a slice whose capacity ends at
     * the bytes read, so a read past the limit would raise {@link IndexOutOfBoundsException}
     * and fail the property.
     */
    @Property(tries = 2000)
    void anyBytesDecodeToRecordsOrAMalformedRecordErrorWithoutReadingPastTheLimit(@ForAll @Size(max = 200) byte[] bytes) {
        ByteBuffer batch = ByteBuffer.wrap(bytes).slice().order(ByteOrder.nativeOrder());
        int records = 0;
        try {
            while (batch.hasRemaining()) {
                int before = batch.position();
                InotifyRecords.next(batch);
                assertThat(batch.position()).isGreaterThanOrEqualTo(before + 16).isLessThanOrEqualTo(batch.limit());
                records++;
            }
        } catch (MalformedRecordException e) {
            assertThat(e).hasMessageContaining("inotify record at offset");
        }
        assertThat(records).isLessThanOrEqualTo(bytes.length / 16);
    }

    @Property(tries = 200)
    void aTruncatedRecordIsReportedNotGuessed(@ForAll("records") @Size(min = 1, max = 5) List<InotifyRecord> records) {
        ByteBuffer full = encode(records);
        ByteBuffer cut = full.limit(full.limit() - 1).slice().order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> {
            while (cut.hasRemaining()) {
                InotifyRecords.next(cut);
            }
        }).isInstanceOf(MalformedRecordException.class);
    }

    @Provide
    Arbitrary<List<InotifyRecord>> records() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().withCharRange('a', 'z').withChars('é', '-', '.', ' ').ofMinLength(1).ofMaxLength(40));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers(), names)
                .as(InotifyRecord::new).list();
    }

    /** Lays records out as the kernel does: header, then the name NUL-padded to a multiple of 16. */
    static ByteBuffer encode(List<InotifyRecord> records) {
        ByteBuffer b = ByteBuffer.allocate(records.size() * (16 + 256)).order(ByteOrder.nativeOrder());
        for (InotifyRecord r : records) {
            byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
            int len = name.length == 0 ? 0 : (name.length / 16 + 1) * 16;
            b.putInt(r.wd()).putInt(r.mask()).putInt(r.cookie()).putInt(len);
            b.put(name);
            for (int i = name.length; i < len; i++) {
                b.put((byte) 0);
            }
        }
        return b.flip();
    }
}
