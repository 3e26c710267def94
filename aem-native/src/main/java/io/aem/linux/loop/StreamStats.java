package io.aem.linux.loop;

/**
 * The counters of one live stream, for metrics and health: what it delivered, what the kernel
 * reported lost, and how long data waited in the kernel because the subscriber had no demand.
 * Written by the loop thread, readable from any thread without locking (each value is a
 * volatile read; the set of values is not an atomic snapshot).
 */
public interface StreamStats {
    /** A short description of the source, for example {@code "timerfd MONOTONIC every PT0.01S"}. */
    String sourceName();

    /** Events passed to the subscriber's {@code onNext}. */
    long delivered();

    /** Events the kernel or the source reported lost (overflow, drops); never silently zero when loss happened. */
    long lost();

    /** Total nanoseconds during which the fd was ready but the subscriber had no demand. */
    long stalledNanos();

    /** Whether the stream is paused now: ready data waits in the kernel for demand. */
    boolean stalled();
}
