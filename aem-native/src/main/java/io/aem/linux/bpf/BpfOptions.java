package io.aem.linux.bpf;

import java.util.Objects;

/**
 * How an eBPF stream is set up: the kernel-side filter, the ring buffer's size and the batch
 * buffer's, and which kind of tracepoint programs to load. Immutable.
 *
 * @param filter             what the programs report
 * @param ringBytes          the ring buffer's size: a power of two from 4096 (a page) to 512 MiB (its data
 *                           is mapped twice in a row and read through one buffer); what the kernel
 *                           holds while the subscriber has no demand, beyond which it drops and counts
 * @param batchBytes         the batch buffer's size, at least 1024: the most one read copies out of the ring
 * @param classicTracepoints {@code false} (the default): load the {@code tp_btf} programs, and the
 *                           classic-tracepoint twin of any the kernel refuses; {@code true}: load the
 *                           classic twins ({@code tracepoint/...}) only, which need root (or
 *                           {@code CAP_SYS_ADMIN}) for tracefs, mounted at {@code /sys/kernel/tracing}
 *                           by the loader when missing and left mounted. Both kinds emit the same records.
 */
public record BpfOptions(BpfFilter filter, int ringBytes, int batchBytes, boolean classicTracepoints) {
    /** The largest ring: its data, mapped twice in a row, must fit one {@code ByteBuffer}. */
    public static final int MAX_RING_BYTES = 1 << 29;
    /** 256 KiB ring, 64 KiB batch. */
    public static final int DEFAULT_RING_BYTES = 256 * 1024;
    /** The default batch buffer size. */
    public static final int DEFAULT_BATCH_BYTES = 64 * 1024;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException for a ring size that is not a power of two between 4096 and
     *                                  {@link #MAX_RING_BYTES}, or a batch under 1024 bytes
     */
    public BpfOptions {
        Objects.requireNonNull(filter, "filter");
        if (ringBytes < 4096 || ringBytes > MAX_RING_BYTES || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("the ring buffer size must be a power of two from 4096 bytes to "
                    + MAX_RING_BYTES + " (512 MiB), was " + ringBytes);
        }
        if (batchBytes < 1024) {
            throw new IllegalArgumentException("the batch buffer must have at least 1024 bytes, was " + batchBytes);
        }
    }

    /**
     * Options with the {@code tp_btf} programs first (classic tracepoints as fallback).
     *
     * @param filter     what the programs report
     * @param ringBytes  the ring buffer's size
     * @param batchBytes the batch buffer's size
     * @throws IllegalArgumentException as the canonical constructor
     */
    public BpfOptions(BpfFilter filter, int ringBytes, int batchBytes) {
        this(filter, ringBytes, batchBytes, false);
    }

    /** Default sizes with the given filter, {@code tp_btf} programs first. */
    public static BpfOptions of(BpfFilter filter) {
        return new BpfOptions(filter, DEFAULT_RING_BYTES, DEFAULT_BATCH_BYTES, false);
    }

    /** These options with another ring buffer size. */
    public BpfOptions withRingBytes(int ringBytes) {
        return new BpfOptions(filter, ringBytes, batchBytes, classicTracepoints);
    }

    /**
     * These options loading the classic-tracepoint programs ({@code true}) instead of the
     * {@code tp_btf} ones, for kernels whose {@code tp_btf} attachment is unusable; see the
     * record's description.
     */
    public BpfOptions withClassicTracepoints(boolean classicTracepoints) {
        return new BpfOptions(filter, ringBytes, batchBytes, classicTracepoints);
    }
}
