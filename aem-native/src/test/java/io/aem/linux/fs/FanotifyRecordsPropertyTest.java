package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Fanotify;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The fanotify decoder against generated well-formed batches (laid out as the kernel does, with
 * records of unknown types and longer metadata mixed in), truncated batches, mutated batches and
 * arbitrary bytes.
 */
class FanotifyRecordsPropertyTest {
    private static final int[] FID_TYPES = {Fanotify.INFO_TYPE_FID, Fanotify.INFO_TYPE_DFID, Fanotify.INFO_TYPE_DFID_NAME,
        Fanotify.INFO_TYPE_OLD_DFID_NAME, Fanotify.INFO_TYPE_NEW_DFID_NAME};
    private static final int[] UNKNOWN_TYPES = {0, 6, 7, 8, 9, 11, 13, 64, 255};

    @Property(tries = 500)
    void wellFormedBatchesDecodeToWhatWasEncodedWithUnknownInfoTypesSkipped(
            @ForAll("events") @Size(max = 20) List<Encoded> events) throws Exception {
        ByteBuffer batch = encode(events);
        List<FanotifyRecord> decoded = new ArrayList<>();
        while (batch.hasRemaining()) {
            decoded.add(FanotifyRecords.next(batch));
        }
        assertThat(decoded).isEqualTo(events.stream().map(Encoded::record).toList());
    }

    @Property(tries = 300)
    void everyTruncationInsideAnEventIsReportedNotGuessed(@ForAll("events") @Size(min = 1, max = 5) List<Encoded> events,
                                                          @ForAll @IntRange(min = 1, max = 100_000) int cutSeed) {
        ByteBuffer full = encode(events);
        List<Integer> boundaries = boundaries(full.duplicate().order(ByteOrder.nativeOrder()));
        int cut = cutSeed % full.limit();
        Assume.that(!boundaries.contains(cut));
        ByteBuffer truncated = full.limit(cut).slice().order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> {
            while (truncated.hasRemaining()) {
                FanotifyRecords.next(truncated);
            }
        }).isInstanceOf(MalformedRecordException.class).hasMessageContaining("fanotify event at offset");
    }

    /**
     * Well-formed batches with bytes overwritten: the decoder returns events that each consume
     * at least the metadata, or stops with {@link MalformedRecordException}; it never reads past
     * the limit (the slice's capacity ends there, so that would throw another exception) and
     * never loops on a zero length.
     */
    @Property(tries = 2000)
    void mutatedBatchesDecodeToEventsOrAMalformedRecordError(@ForAll("events") @Size(min = 1, max = 6) List<Encoded> events,
                                                             @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 100_000) Integer> positions,
                                                             @ForAll @Size(min = 6, max = 6) List<Byte> values) {
        ByteBuffer batch = encode(events);
        for (int i = 0; i < positions.size(); i++) {
            batch.put(positions.get(i) % batch.limit(), values.get(i));
        }
        decodeAnything(batch.slice().order(ByteOrder.nativeOrder()));
    }

    @Property(tries = 2000)
    void anyBytesDecodeToEventsOrAMalformedRecordError(@ForAll @Size(max = 300) byte[] bytes) {
        decodeAnything(ByteBuffer.wrap(bytes).slice().order(ByteOrder.nativeOrder()));
    }

    /** Any bytes that start like an event: version 3 and plausible lengths, to get past the first checks. */
    @Property(tries = 2000)
    void anyInfoBytesAfterValidMetadataDecodeToEventsOrAMalformedRecordError(@ForAll @Size(max = 200) byte[] infoBytes) {
        ByteBuffer b = ByteBuffer.allocate(Fanotify.METADATA_SIZE + infoBytes.length).order(ByteOrder.nativeOrder());
        b.putInt(Fanotify.METADATA_SIZE + infoBytes.length).put((byte) Fanotify.METADATA_VERSION).put((byte) 0)
                .putShort((short) Fanotify.METADATA_SIZE).putLong(Fanotify.FAN_CREATE).putInt(-1).putInt(1).put(infoBytes);
        decodeAnything(b.flip().slice().order(ByteOrder.nativeOrder()));
    }

    @Example
    void anInfoRecordOfLengthZeroIsMalformedInsteadOfLoopingForever() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putInt(32).put((byte) 3).put((byte) 0).putShort((short) 24).putLong(Fanotify.FAN_OPEN).putInt(-1).putInt(7);
        b.put((byte) 77).put((byte) 0).putShort((short) 0).putInt(0);
        assertThatThrownBy(() -> FanotifyRecords.next(b.flip())).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("with len 0");
    }

    @Example
    void anotherMetadataVersionIsMalformed() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        b.putInt(24).put((byte) 4).put((byte) 0).putShort((short) 24).putLong(Fanotify.FAN_OPEN).putInt(-1).putInt(7);
        assertThatThrownBy(() -> FanotifyRecords.next(b.flip())).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("version 4");
    }

    @Example
    void aNameWithoutItsNulIsMalformed() {
        ByteBuffer b = ByteBuffer.allocate(24 + 24).order(ByteOrder.nativeOrder());
        b.putInt(48).put((byte) 3).put((byte) 0).putShort((short) 24).putLong(Fanotify.FAN_CREATE).putInt(-1).putInt(7);
        b.put((byte) Fanotify.INFO_TYPE_DFID_NAME).put((byte) 0).putShort((short) 24).putLong(1).putInt(0).putInt(1);
        b.put("abcd".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> FanotifyRecords.next(b.flip())).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("not NUL-terminated");
    }

    private static void decodeAnything(ByteBuffer batch) {
        int events = 0;
        int start = batch.position();
        try {
            while (batch.hasRemaining()) {
                int before = batch.position();
                FanotifyRecords.next(batch);
                assertThat(batch.position()).isGreaterThanOrEqualTo(before + Fanotify.METADATA_SIZE)
                        .isLessThanOrEqualTo(batch.limit());
                events++;
            }
        } catch (MalformedRecordException e) {
            assertThat(e).hasMessageContaining("fanotify event at offset");
        }
        assertThat(events).isLessThanOrEqualTo((batch.limit() - start) / Fanotify.METADATA_SIZE);
    }

    private static List<Integer> boundaries(ByteBuffer full) {
        List<Integer> b = new ArrayList<>();
        int p = 0;
        while (p < full.limit()) {
            b.add(p);
            p += full.getInt(p);
        }
        b.add(p);
        return b;
    }

    // ---- generators ----

    /** One event as generated: the record the decoder must return, plus what the encoder adds that it must skip. */
    record Encoded(FanotifyRecord record, int extraMetadata, List<byte[]> unknownInfos) {
    }

    @Provide
    Arbitrary<List<Encoded>> events() {
        Arbitrary<FanotifyRecord> records = Combinators.combine(Arbitraries.longs(), Arbitraries.integers(),
                Arbitraries.integers(), infos().list().ofMaxSize(4)).as(FanotifyRecord::new);
        Arbitrary<Integer> extra = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 4).map(i -> i * 4));
        Arbitrary<List<byte[]>> unknown = unknownInfo().list().ofMaxSize(2);
        return Combinators.combine(records, extra, unknown).as(Encoded::new).list();
    }

    private Arbitrary<FanotifyInfo> infos() {
        Arbitrary<FileHandle> handles = Combinators.combine(Arbitraries.integers(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(FileHandle::new);
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('é', '-', '.', ' ', '日')
                .ofMinLength(1).ofMaxLength(40);
        Arbitrary<FanotifyInfo> fid = Combinators.combine(Arbitraries.of(FID_TYPES.length).flatMap(n ->
                Arbitraries.integers().between(0, n - 1)), Arbitraries.longs(), handles, names).as((i, fsid, h, name) -> {
                    int type = FID_TYPES[i];
                    return new FanotifyFileIdInfo(type, fsid, h, FanotifyFileIdInfo.hasName(type) ? name : "");
                });
        Arbitrary<FanotifyInfo> pidfd = Arbitraries.integers().map(FanotifyPidFdInfo::new);
        Arbitrary<FanotifyInfo> error = Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(FanotifyErrorInfo::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, fid), net.jqwik.api.Tuple.of(1, pidfd), net.jqwik.api.Tuple.of(1, error));
    }

    /** A whole information record of a type the decoder does not know: header and payload. */
    private Arbitrary<byte[]> unknownInfo() {
        return Combinators.combine(Arbitraries.of(UNKNOWN_TYPES.length).flatMap(n -> Arbitraries.integers().between(0, n - 1)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(30)).as((i, payload) -> {
                    int len = 4 + payload.length;
                    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
                    b.put((byte) UNKNOWN_TYPES[i]).put((byte) 0).putShort((short) len).put(payload);
                    return b.array();
                });
    }

    /** Lays events out as the kernel does; unknown records go first, after the metadata. */
    static ByteBuffer encode(List<Encoded> events) {
        ByteBuffer b = ByteBuffer.allocate(events.size() * 2048 + 16).order(ByteOrder.nativeOrder());
        for (Encoded e : events) {
            int start = b.position();
            int metadataLen = Fanotify.METADATA_SIZE + e.extraMetadata();
            FanotifyRecord r = e.record();
            b.putInt(0).put((byte) Fanotify.METADATA_VERSION).put((byte) 0).putShort((short) metadataLen)
                    .putLong(r.mask()).putInt(r.fd()).putInt(r.pid());
            for (int i = 0; i < e.extraMetadata(); i++) {
                b.put((byte) 0x5a);
            }
            for (byte[] unknown : e.unknownInfos()) {
                b.put(unknown);
            }
            for (FanotifyInfo info : r.infos()) {
                encodeInfo(b, info);
            }
            b.putInt(start, b.position() - start);
        }
        return b.flip();
    }

    private static void encodeInfo(ByteBuffer b, FanotifyInfo info) {
        int start = b.position();
        b.put((byte) info.type()).put((byte) 0).putShort((short) 0);
        if (info instanceof FanotifyFileIdInfo f) {
            byte[] handle = f.handle().bytes();
            b.putLong(f.fsid()).putInt(handle.length).putInt(f.handle().type()).put(handle);
            if (FanotifyFileIdInfo.hasName(f.type())) {
                b.put(f.name().getBytes(StandardCharsets.UTF_8)).put((byte) 0);
            }
            while ((b.position() - start) % 4 != 0) {
                b.put((byte) 0);
            }
        } else if (info instanceof FanotifyPidFdInfo p) {
            b.putInt(p.pidfd());
        } else if (info instanceof FanotifyErrorInfo err) {
            b.putInt(err.error()).putInt(err.errorCount());
        }
        b.putShort(start + 2, (short) (b.position() - start));
    }
}
