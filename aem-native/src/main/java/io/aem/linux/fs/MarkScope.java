package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;

/**
 * What a fanotify mark covers.
 */
public enum MarkScope {
    /** The file or directory itself; for a directory, also events on its direct children ({@code FAN_MARK_INODE} with {@code FAN_EVENT_ON_CHILD}). */
    PATH,
    /** Every object of the mount the path is on ({@code FAN_MARK_MOUNT}). FID-mode directory-entry events (create, delete, move) cannot be asked on a mount mark. */
    MOUNT,
    /** Every object of the filesystem the path is on, through all its mounts ({@code FAN_MARK_FILESYSTEM}). */
    FILESYSTEM;

    /** The {@code FAN_MARK_*} flag of this scope for {@code fanotify_mark}. */
    public int markFlag() {
        switch (this) {
            case MOUNT:
                return Fanotify.FAN_MARK_MOUNT;
            case FILESYSTEM:
                return Fanotify.FAN_MARK_FILESYSTEM;
            default:
                return Fanotify.FAN_MARK_INODE;
        }
    }
}
