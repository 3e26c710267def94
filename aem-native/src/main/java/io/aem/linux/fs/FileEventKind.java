package io.aem.linux.fs;

/**
 * What happened to a file or directory: the operations AEM's aem-fd reported, as inotify and
 * fanotify report them, plus the markers a watch adds so that nothing is ever lost silently.
 *
 * <p>Not every backend reports every kind: inotify has no {@link #OPEN_EXEC} and no actor;
 * fanotify in FID mode reports {@link #RENAME} with both names in one record. Lock, chmod-versus
 * -chown and owner changes come from the kernel programs of {@code aem-kernel}.
 */
public enum FileEventKind {
    /** A file was read ({@code IN_ACCESS}, {@code FAN_ACCESS}). */
    ACCESS,
    /** A file was written ({@code IN_MODIFY}, {@code FAN_MODIFY}). */
    MODIFY,
    /** Metadata changed: mode, owner, timestamps, link count, extended attributes ({@code IN_ATTRIB}, {@code FAN_ATTRIB}). */
    ATTRIBUTES,
    /** A file or directory was opened ({@code IN_OPEN}, {@code FAN_OPEN}). */
    OPEN,
    /** A file was opened for execution ({@code FAN_OPEN_EXEC}; fanotify only). */
    OPEN_EXEC,
    /** A file opened for writing was closed ({@code IN_CLOSE_WRITE}, {@code FAN_CLOSE_WRITE}). */
    CLOSE_WRITE,
    /** A file not opened for writing was closed ({@code IN_CLOSE_NOWRITE}, {@code FAN_CLOSE_NOWRITE}). */
    CLOSE_NOWRITE,
    /** An entry was created ({@code IN_CREATE}, {@code FAN_CREATE}), or found by a watch that added a new directory. */
    CREATE,
    /** An entry was deleted ({@code IN_DELETE}, {@code FAN_DELETE}). */
    DELETE,
    /** An entry was moved within the watched tree: one event with the old and the new path. */
    RENAME,
    /** An entry was moved into the watched tree from outside it ({@code IN_MOVED_TO} without its pair). */
    MOVED_IN,
    /** An entry was moved out of the watched tree ({@code IN_MOVED_FROM} without its pair). */
    MOVED_OUT,
    /** The watched object itself was deleted ({@code IN_DELETE_SELF}, {@code FAN_DELETE_SELF}). */
    DELETE_SELF,
    /** The watched object itself was moved ({@code IN_MOVE_SELF}, {@code FAN_MOVE_SELF}). */
    MOVE_SELF,
    /** The filesystem of the watched object was unmounted ({@code IN_UNMOUNT}). */
    UNMOUNT,
    /** The kernel's queue overflowed and events were lost ({@code IN_Q_OVERFLOW}, {@code FAN_Q_OVERFLOW}). */
    OVERFLOW,
    /** An entry that exists: from the initial listing or from a rescan after an overflow. */
    EXISTING,
    /** The listing of {@link #EXISTING} entries that began earlier is complete; live events follow. */
    LISTING_DONE
}
