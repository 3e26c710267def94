package io.aem.linux.bpf;

import java.util.Objects;

/**
 * How an eBPF stream is set up: the kernel-side filter, the ring buffer's size and the batch
 * buffer's. Immutable.
 *
 * @param filter     what the programs report
 * @param ringBytes  the ring buffer's size: a power of two, at least 4096 (a page); what the kernel
 *                   holds while the subscriber has no demand, beyond which it drops and counts
 * @param batchBytes the batch buffer's size, at least 1024: the most one read copies out of the ring
 */
public record BpfOptions(BpfFilter filter, int ringBytes, int batchBytes) {
    /** 256 KiB ring, 64 KiB batch. */
    public static final int DEFAULT_RING_BYTES = 256 * 1024;
    /** The default batch buffer size. */
    public static final int DEFAULT_BATCH_BYTES = 64 * 1024;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException for a ring size that is not a power of two of at least 4096,
     *                                  or a batch under 1024 bytes
     */
    public BpfOptions {
        Objects.requireNonNull(filter, "filter");
        if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("the ring buffer size must be a power of two of at least 4096 bytes, was " + ringBytes);
        }
        if (batchBytes < 1024) {
            throw new IllegalArgumentException("the batch buffer must have at least 1024 bytes, was " + batchBytes);
        }
    }

    /** Default sizes with the given filter. */
    public static BpfOptions of(BpfFilter filter) {
        return new BpfOptions(filter, DEFAULT_RING_BYTES, DEFAULT_BATCH_BYTES);
    }

    /** These options with another ring buffer size. */
    public BpfOptions withRingBytes(int ringBytes) {
        return new BpfOptions(filter, ringBytes, batchBytes);
    }
}
