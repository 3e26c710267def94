package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * The ring-buffer walk against rings laid out as the kernel does (records wrapping, discarded,
 * still busy) and against arbitrary bytes and positions: it returns a consistent position or
 * throws {@link CorruptRingBufferException}, never anything else, and never loops.
 */
class RingRecordsPropertyTest {

    /** A record to place in a ring: its payload and whether the producer discarded it. */
    record Rec(byte[] payload, boolean discarded) {
    }

    @Provide
    Arbitrary<Rec> recs() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .flatMap(p -> Arbitraries.of(true, false, false, false).map(d -> new Rec(p, d)));
    }

    /** The kernel's layout: a ring of {@code size} bytes, mapped twice in a row. */
    private static final class Ring {
        final int size;
        final byte[] ring;
        final long start;
        long producer;

        Ring(int size, long start) {
            this.size = size;
            this.ring = new byte[size];
            this.start = start;
            this.producer = start;
        }

        /** Writes a record at the producer position; false when it does not fit. */
        boolean add(byte[] payload, int flags) {
            long span = RingRecords.span(payload.length);
            if (producer + span - start > size) {
                return false;
            }
            int len = payload.length | flags;
            for (int i = 0; i < 4; i++) {
                ring[(int) ((producer + i) & (size - 1))] = (byte) (len >>> (8 * i));
            }
            for (int i = 0; i < payload.length; i++) {
                ring[(int) ((producer + 8 + i) & (size - 1))] = payload[i];
            }
            producer += span;
            return true;
        }

        ByteBuffer mapped() {
            ByteBuffer b = ByteBuffer.allocate(2 * size);
            b.put(ring).put(ring).clear();
            return b;
        }
    }

    private static List<byte[]> decodeAll(ByteBuffer batch) throws CorruptRingBufferException {
        batch.flip();
        List<byte[]> out = new ArrayList<>();
        while (batch.hasRemaining()) {
            ByteBuffer p = RingRecords.next(batch);
            byte[] bytes = new byte[p.remaining()];
            p.get(bytes);
            out.add(bytes);
        }
        return out;
    }

    @Property(tries = 500)
    void committedRecordsComeOutInOrderAcrossTheWrap(@ForAll @Size(max = 40) List<@net.jqwik.api.From("recs") Rec> recs,
            @ForAll @IntRange(min = 0, max = 511) int startSlot) throws Exception {
        Ring ring = new Ring(4096, 8L * startSlot + 4096L * 3);
        List<byte[]> expected = new ArrayList<>();
        for (Rec r : recs) {
            if (!ring.add(r.payload(), r.discarded() ? RingRecords.DISCARD : 0)) {
                break;
            }
            if (!r.discarded()) {
                expected.add(r.payload());
            }
        }
        ByteBuffer batch = ByteBuffer.allocate(8192);
        long next = RingRecords.copy(ring.mapped(), ring.size, ring.start, ring.producer, batch);
        assertThat(next).isEqualTo(ring.producer);
        assertThat(decodeAll(batch)).containsExactlyElementsOf(expected);
    }

    @Property(tries = 300)
    void aBusyRecordStopsTheWalkAtItsStart(@ForAll @Size(min = 1, max = 20) List<@net.jqwik.api.From("recs") Rec> recs,
            @ForAll @IntRange(min = 0, max = 19) int busyIndex) throws Exception {
        Ring ring = new Ring(8192, 0);
        List<byte[]> expected = new ArrayList<>();
        long busyAt = -1;
        for (int i = 0; i < recs.size(); i++) {
            Rec r = recs.get(i);
            long at = ring.producer;
            boolean busy = i == busyIndex;
            if (!ring.add(r.payload(), busy ? RingRecords.BUSY : r.discarded() ? RingRecords.DISCARD : 0)) {
                break;
            }
            if (busy) {
                busyAt = at;
            } else if (busyAt < 0 && !r.discarded()) {
                expected.add(r.payload());
            }
        }
        ByteBuffer batch = ByteBuffer.allocate(16384);
        long next = RingRecords.copy(ring.mapped(), ring.size, 0, ring.producer, batch);
        assertThat(next).isEqualTo(busyAt >= 0 ? busyAt : ring.producer);
        assertThat(decodeAll(batch)).containsExactlyElementsOf(expected);
    }

    @Property(tries = 300)
    void aSmallBatchTakesWhatFitsAndTheRestStays(@ForAll @Size(min = 1, max = 30) List<@net.jqwik.api.From("recs") Rec> recs,
            @ForAll @IntRange(min = 320, max = 2000) int batchBytes) throws Exception {
        Ring ring = new Ring(8192, 0);
        for (Rec r : recs) {
            ring.add(r.payload(), 0);
        }
        ByteBuffer mapped = ring.mapped();
        long consumer = 0;
        int total = 0;
        for (int round = 0; consumer < ring.producer; round++) {
            assertThat(round).as("the walk makes progress").isLessThan(1000);
            ByteBuffer batch = ByteBuffer.allocate(batchBytes);
            long next = RingRecords.copy(mapped, ring.size, consumer, ring.producer, batch);
            assertThat(next).isGreaterThan(consumer);
            total += decodeAll(batch).size();
            consumer = next;
        }
        assertThat(total).isEqualTo(countFitting(recs, 8192));
    }

    private static int countFitting(List<Rec> recs, int size) {
        long used = 0;
        int n = 0;
        for (Rec r : recs) {
            long span = RingRecords.span(r.payload().length);
            if (used + span > size) {
                break;
            }
            used += span;
            n++;
        }
        return n;
    }

    @Property(tries = 2000)
    void anyBytesAndPositionsGiveAPositionOrATypedError(@ForAll @Size(min = 256, max = 256) byte[] ringBytes,
            @ForAll @LongRange(min = 0, max = 1024) long consumer, @ForAll @LongRange(min = -64, max = 1024) long delta,
            @ForAll @IntRange(min = 0, max = 600) int batchBytes) {
        int size = 128;
        ByteBuffer mapped = ByteBuffer.wrap(ringBytes);
        long producer = consumer + delta;
        ByteBuffer batch = ByteBuffer.allocate(batchBytes);
        long next;
        try {
            next = RingRecords.copy(mapped, size, consumer, producer, batch);
        } catch (CorruptRingBufferException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(next).isBetween(consumer, producer);
        assertThat((next - consumer) % 8).isZero();
        try {
            decodeAll(batch);
        } catch (CorruptRingBufferException e) {
            throw new AssertionError("a batch written by copy must decode", e);
        }
    }

    @Property(tries = 1000)
    void anyBatchBytesDecodeOrGiveATypedErrorAndAdvance(@ForAll @Size(max = 200) byte[] bytes) {
        ByteBuffer batch = ByteBuffer.wrap(bytes);
        int steps = 0;
        while (batch.hasRemaining()) {
            int before = batch.position();
            try {
                ByteBuffer p = RingRecords.next(batch);
                assertThat(p.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            } catch (CorruptRingBufferException e) {
                assertThat(batch.hasRemaining()).as("a corrupt batch is consumed whole").isFalse();
            }
            assertThat(batch.position()).isGreaterThan(before);
            assertThat(++steps).isLessThanOrEqualTo(bytes.length);
        }
    }

    @Property(tries = 1000)
    void anyPayloadDecodesToAnEventOrATypedError(@ForAll @Size(max = 400) byte[] bytes,
            @ForAll @IntRange(min = 0, max = 4) int type) {
        ByteBuffer p = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length >= 4) {
            p.putInt(0, type);
        }
        for (RecordDecoder<?> d : List.of(BpfRecords.EXITS, BpfRecords.LOCKS, BpfRecords.ATTRIBUTES)) {
            try {
                assertThat(d.decode(p.duplicate().order(ByteOrder.LITTLE_ENDIAN))).isNotNull();
            } catch (CorruptRingBufferException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Property(tries = 200)
    void aRecordLargerThanTheWholeBatchIsATypedError(@ForAll @IntRange(min = 100, max = 1000) int len) {
        Ring ring = new Ring(2048, 0);
        ring.add(new byte[len], 0);
        ByteBuffer batch = ByteBuffer.allocate(len / 2);
        assertThatThrownBy(() -> RingRecords.copy(ring.mapped(), ring.size, 0, ring.producer, batch))
                .isInstanceOf(CorruptRingBufferException.class).hasMessageContaining("larger than the batch buffer");
    }

    @Property(tries = 100)
    void aLossRecordRoundTrips(@ForAll @LongRange(min = 1) long count) throws Exception {
        ByteBuffer batch = ByteBuffer.allocate(64);
        assertThat(RingRecords.putLost(batch, count)).isTrue();
        batch.flip();
        ByteBuffer p = RingRecords.next(batch);
        assertThat(BpfRecords.type(p)).isEqualTo(RingRecords.LOST_TYPE);
        assertThat(p.getLong(8)).isEqualTo(count);
    }
}
