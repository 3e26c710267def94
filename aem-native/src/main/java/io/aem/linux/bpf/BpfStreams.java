package io.aem.linux.bpf;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.SourcePublisher;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The eBPF event streams of {@code aem-kernel} as {@link Flow.Publisher}s (cold: each subscriber
 * loads its own copy of the programs with its own ring buffer when it subscribes, on the loop
 * thread, and unloads them when its stream ends).
 *
 * <p>Demand is kernel-level backpressure: without it the ring buffer fills and the kernel drops,
 * counting what it dropped; the stream then delivers the family's {@code Lost} event with the
 * count (see {@link BpfRecordSource}). Events arrive on the loop thread. Errors arrive as
 * {@code onError}: {@link LibBpfMissingException} (install Debian's {@code libbpf1}),
 * {@link io.aem.linux.UnsupportedKernelFeatureException} (no kernel BTF),
 * {@link io.aem.linux.MissingPrivilegeException} naming {@code CAP_BPF}+{@code CAP_PERFMON} (or
 * {@code CAP_SYS_ADMIN}). Cost per subscription: a load (milliseconds of verifier time), the ring
 * buffer's memory, two mappings and one duplicate fd.
 *
 * <p>Programs: the {@code tp_btf} ones, each replaced by its classic-tracepoint twin (same
 * records) when the kernel refuses it, or all replaced when
 * {@link BpfOptions#withClassicTracepoints(boolean)} asks for it. Classic tracepoints need tracefs
 * at {@code /sys/kernel/tracing}; the loader mounts it when missing (root) and leaves it mounted,
 * or the stream fails with an error naming {@code mount -t tracefs nodev /sys/kernel/tracing}.
 */
public final class BpfStreams {
    private BpfStreams() {
    }

    /**
     * Every process exit of the system that passes the filter ({@code tp_btf/sched_process_exit},
     * or {@code tracepoint/sched/sched_process_exit}).
     *
     * @param loop    the loop to read on
     * @param options filter and sizes
     * @return the publisher
     */
    public static Flow.Publisher<ProcessExitEvent> processExits(EventLoop loop, BpfOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        return subscriber -> new SourcePublisher<>(loop, new BpfRecordSource<>(BpfObjectFile.EXITS, options, BpfRecords.EXITS))
                .subscribe(subscriber);
    }

    /**
     * flock, POSIX and OFD lock requests and releases that pass the filter.
     *
     * @param loop    the loop to read on
     * @param options filter (files: at most {@link BpfFilter#MAX_FILES}) and sizes
     * @return the publisher
     */
    public static Flow.Publisher<FileLockEvent> fileLocks(EventLoop loop, BpfOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        return subscriber -> new SourcePublisher<>(loop, new BpfRecordSource<>(BpfObjectFile.LOCKS, options, BpfRecords.LOCKS))
                .subscribe(subscriber);
    }

    /**
     * chmod- and chown-family system calls that pass the filter (x86-64; the file filter does not apply).
     *
     * @param loop    the loop to read on
     * @param options filter and sizes
     * @return the publisher
     */
    public static Flow.Publisher<AttributeChangeEvent> attributeChanges(EventLoop loop, BpfOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        return subscriber -> new SourcePublisher<>(loop, new BpfRecordSource<>(BpfObjectFile.ATTRIBUTES, options, BpfRecords.ATTRIBUTES))
                .subscribe(subscriber);
    }

    /**
     * A source for process exits, for frameworks that adapt {@link EventSource}s themselves (aem-reactor).
     * One instance serves one subscription.
     */
    public static EventSource<ProcessExitEvent> processExitSource(BpfOptions options) {
        return new BpfRecordSource<>(BpfObjectFile.EXITS, options, BpfRecords.EXITS);
    }

    /** A source for file locks; one instance serves one subscription. */
    public static EventSource<FileLockEvent> fileLockSource(BpfOptions options) {
        return new BpfRecordSource<>(BpfObjectFile.LOCKS, options, BpfRecords.LOCKS);
    }

    /** A source for chmod/chown calls; one instance serves one subscription. */
    public static EventSource<AttributeChangeEvent> attributeChangeSource(BpfOptions options) {
        return new BpfRecordSource<>(BpfObjectFile.ATTRIBUTES, options, BpfRecords.ATTRIBUTES);
    }
}
