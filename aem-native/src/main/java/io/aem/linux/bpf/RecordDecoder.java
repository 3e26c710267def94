package io.aem.linux.bpf;

import java.nio.ByteBuffer;

/**
 * Turns the payload of one ring-buffer record of one program family into an event, and a count
 * of dropped records into that family's loss event. Pure; implementations are in {@link BpfRecords}.
 *
 * @param <E> the family's event type
 */
interface RecordDecoder<E> {
    /**
     * Decodes a kernel record.
     *
     * @param payload the record's bytes, little-endian, from position 0
     * @return the event
     * @throws CorruptRingBufferException when the record is too short or of another family
     */
    E decode(ByteBuffer payload) throws CorruptRingBufferException;

    /**
     * The family's loss event.
     *
     * @param count records the kernel dropped, at least 1
     * @return the event
     */
    E lost(long count);

    /** A decoding function that may refuse a record. */
    @FunctionalInterface
    interface Decoding<E> {
        E decode(ByteBuffer payload) throws CorruptRingBufferException;
    }

    /**
     * A decoder from its two functions.
     *
     * @param decoding decodes a kernel record
     * @param lost     makes the loss event of a count
     * @param <E>      the family's event type
     * @return the decoder
     */
    static <E> RecordDecoder<E> of(Decoding<E> decoding, java.util.function.LongFunction<E> lost) {
        return new RecordDecoder<>() {
            @Override
            public E decode(ByteBuffer payload) throws CorruptRingBufferException {
                return decoding.decode(payload);
            }

            @Override
            public E lost(long count) {
                return lost.apply(count);
            }
        };
    }
}
