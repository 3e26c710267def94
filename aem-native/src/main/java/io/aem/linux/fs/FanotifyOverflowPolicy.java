package io.aem.linux.fs;

/**
 * What a fanotify stream does when the kernel's event queue overflowed ({@code FAN_Q_OVERFLOW}):
 * the queue holds {@code fs.fanotify.max_queued_events} events (16384 by default) and drops the
 * rest while the subscriber has no demand or falls behind. Either way the loss is counted in the
 * stream's {@code StreamStats.lost()}; it is never silent.
 */
public enum FanotifyOverflowPolicy {
    /**
     * Deliver a {@link FileEventKind#OVERFLOW} event, in queue order where the loss happened, and
     * go on: events queued after the overflow follow. The default.
     */
    SIGNAL,
    /** End the stream with {@link io.aem.linux.source.EventsLostException}. */
    FAIL
}
