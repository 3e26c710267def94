package io.aem.linux.bpf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The record walk of a {@code BPF_MAP_TYPE_RINGBUF}, as pure functions over byte buffers, so it
 * can be tested on any bytes.
 *
 * <p>Layout (kernel {@code kernel/bpf/ringbuf.c}): the data area of {@code size} bytes (a power of
 * two) is mapped twice in a row, so a record that wraps is contiguous. The record at consumer
 * position {@code c} starts at {@code c & (size - 1)} with an 8-byte header: {@code u32 len}
 * whose bit 31 ({@link #BUSY}) says the producer is still writing it and bit 30
 * ({@link #DISCARD}) that it was discarded, then {@code u32 pg_off}; the next record starts
 * {@code round_up(len + 8, 8)} bytes further.
 *
 * <p><b>Rules on bad input</b>: a busy record stops the walk (it is retried at the next
 * readiness); a discarded record is skipped; a length that reaches past the producer position,
 * a consumer position ahead of the producer or more than {@code size} behind it, and a record
 * larger than the whole batch buffer throw {@link CorruptRingBufferException}. Nothing else is
 * thrown, and every step advances by at least 8 bytes, so the walk ends.
 *
 * <p>Batch format (what {@link #copy} writes and {@link #next} reads): each record as
 * {@code u32 len, u32 0, len bytes, padding to 8}, the ring's own framing with the flag bits
 * cleared. The length word is read with acquire ordering, pairing with the kernel's release
 * store at commit. Stateless and thread-safe.
 */
public final class RingRecords {
    /** Header bit: the record is still being written. */
    public static final int BUSY = 1 << 31;
    /** Header bit: the record was discarded by the producer. */
    public static final int DISCARD = 1 << 30;
    /** Bytes of a record header. */
    public static final int HEADER = 8;
    /**
     * The header's length word, read with acquire ordering: the kernel clears the busy bit with a
     * release store once the record is written, so the record's bytes are read only after it.
     */
    private static final VarHandle HEADER_WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private RingRecords() {
    }

    /** {@code round_up(len + 8, 8)}: the bytes a record of {@code len} takes. */
    public static long span(long len) {
        return (len + HEADER + 7) & ~7L;
    }

    /**
     * Copies committed records from the ring into the batch, from {@code consumer} up to
     * {@code producer}, while they fit.
     *
     * @param data     the data area mapped twice ({@code 2 * size} bytes), any byte order
     * @param size     the ring's size in bytes, a power of two
     * @param consumer the consumer position
     * @param producer the producer position, read with acquire ordering
     * @param batch    where to append records, from its position up to its limit
     * @return the new consumer position, to store with release ordering
     * @throws CorruptRingBufferException on a bad position or header, as the class describes
     */
    public static long copy(ByteBuffer data, long size, long consumer, long producer, ByteBuffer batch)
            throws CorruptRingBufferException {
        if (size <= 0 || Long.bitCount(size) != 1 || data.capacity() < 2 * size) {
            throw new CorruptRingBufferException("ring size " + size + " is not a power of two whose double fits "
                    + data.capacity() + " mapped bytes");
        }
        long pending = producer - consumer;
        if (pending < 0 || pending > size || (consumer & 7) != 0) {
            throw new CorruptRingBufferException("consumer position " + consumer + " and producer position "
                    + producer + " are inconsistent for a ring of " + size + " bytes");
        }
        long mask = size - 1;
        boolean copiedAny = false;
        while (consumer < producer) {
            int offset = (int) (consumer & mask);
            int header = (int) HEADER_WORD.getAcquire(data, offset);
            if ((header & BUSY) != 0) {
                break;
            }
            long len = header & ~(BUSY | DISCARD);
            long span = span(len);
            if (span > producer - consumer) {
                throw new CorruptRingBufferException("record at consumer position " + consumer + " claims " + len
                        + " bytes, past the producer position " + producer);
            }
            if ((header & DISCARD) == 0) {
                if (span > batch.remaining()) {
                    if (!copiedAny && batch.position() == 0) {
                        throw new CorruptRingBufferException("record of " + len + " bytes at consumer position "
                                + consumer + " is larger than the batch buffer of " + batch.remaining() + " bytes");
                    }
                    break;
                }
                int start = batch.position();
                ByteOrder order = batch.order();
                batch.order(ByteOrder.LITTLE_ENDIAN);
                batch.putInt((int) len).putInt(0);
                batch.put(batch.position(), data, offset + HEADER, (int) len);
                batch.position(start + (int) span);
                batch.order(order);
                copiedAny = true;
            }
            consumer += span;
        }
        return consumer;
    }

    /**
     * Reads the next record of a batch written by {@link #copy} (or {@link #putLost}).
     *
     * @param batch the batch, positioned at a record; advanced past it
     * @return the record's payload, a little-endian slice of the batch
     * @throws CorruptRingBufferException when the header claims more bytes than the batch has
     */
    public static ByteBuffer next(ByteBuffer batch) throws CorruptRingBufferException {
        if (batch.remaining() < HEADER) {
            int left = batch.remaining();
            batch.position(batch.limit());
            throw new CorruptRingBufferException("batch ends with " + left + " bytes, less than a record header");
        }
        int pos = batch.position();
        long len = batch.order(ByteOrder.LITTLE_ENDIAN).getInt(pos) & 0xffffffffL;
        long span = span(len);
        if (span > batch.remaining()) {
            batch.position(batch.limit());
            throw new CorruptRingBufferException("batch record of " + len + " bytes exceeds the " + (batch.limit() - pos)
                    + " bytes left");
        }
        ByteBuffer payload = batch.slice(pos + HEADER, (int) len).order(ByteOrder.LITTLE_ENDIAN);
        batch.position(pos + (int) span);
        return payload;
    }

    /** Payload type of the loss record that {@link #putLost} writes; kernel records have types from 1. */
    public static final int LOST_TYPE = 0;

    /**
     * Appends a loss record ({@code u32 type 0, u32 0, u64 count}) to the batch, if it has room.
     *
     * @param batch where to append
     * @param count events the kernel dropped
     * @return whether it fitted
     */
    public static boolean putLost(ByteBuffer batch, long count) {
        if (batch.remaining() < HEADER + 16) {
            return false;
        }
        ByteOrder order = batch.order();
        batch.order(ByteOrder.LITTLE_ENDIAN).putInt(16).putInt(0).putInt(LOST_TYPE).putInt(0).putLong(count);
        batch.order(order);
        return true;
    }
}
