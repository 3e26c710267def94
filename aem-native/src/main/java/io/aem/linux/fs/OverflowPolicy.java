package io.aem.linux.fs;

/**
 * What a file watch does when the kernel's inotify queue overflowed ({@code IN_Q_OVERFLOW}):
 * events were dropped because the subscriber did not take them fast enough (or had no demand)
 * and more than {@code fs.inotify.max_queued_events} piled up in the kernel. The loss is always
 * counted ({@code StreamStats.lost()}); the policy decides what the subscriber sees.
 */
public enum OverflowPolicy {
    /**
     * Emit one {@link FileEventKind#OVERFLOW} event (its path is the watched root) where the loss
     * happened, and go on. For a tree, the source re-synchronises its watches with the directories
     * that exist now (new ones get watches, vanished ones lose theirs) without emitting events for
     * them; what changed during the loss is for the subscriber to find out.
     */
    SIGNAL,
    /**
     * Emit {@link FileEventKind#OVERFLOW}, then {@link FileEventKind#EXISTING} for every entry in
     * the watched scope now (recursively for a tree, re-watching directories as needed), then
     * {@link FileEventKind#LISTING_DONE}, then live events again: the subscriber can rebuild its
     * view of the tree from the listing.
     */
    RESCAN,
    /**
     * End the stream with {@link io.aem.linux.source.EventsLostException} after the events
     * queued before the loss were delivered.
     */
    ERROR
}
