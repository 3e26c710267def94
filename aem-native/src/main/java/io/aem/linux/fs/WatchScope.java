package io.aem.linux.fs;

/** What a {@link FileWatch} covers. */
public enum WatchScope {
    /**
     * One file (or one directory taken as an object): only the events about the object itself
     * ({@link FileEventKind#ACCESS}, {@link FileEventKind#MODIFY}, {@link FileEventKind#ATTRIBUTES},
     * {@link FileEventKind#OPEN}, the two closes, {@link FileEventKind#DELETE_SELF},
     * {@link FileEventKind#MOVE_SELF}, {@link FileEventKind#UNMOUNT}), with its path. One watch.
     */
    FILE,
    /** A directory and its entries, one level deep: the entries' events and the directory's own. One watch. */
    DIRECTORY,
    /** A directory and everything below it, followed as directories come and go: one watch per directory. */
    TREE
}
