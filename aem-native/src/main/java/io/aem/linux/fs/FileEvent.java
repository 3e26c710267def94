package io.aem.linux.fs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One operation on a file or directory of a watched tree, as an inotify watch reports it.
 *
 * @param kind      what happened
 * @param path      the absolute path of the subject: the new path of a {@link FileEventKind#RENAME},
 *                  the watched root for {@link FileEventKind#OVERFLOW} and {@link FileEventKind#LISTING_DONE}
 * @param movedFrom the old absolute path of a {@link FileEventKind#RENAME}; {@code null} for every other kind
 * @param directory whether the subject is a directory
 */
public record FileEvent(FileEventKind kind, Path path, Path movedFrom, boolean directory) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException     if {@code kind} or {@code path} is {@code null}
     * @throws IllegalArgumentException if {@code movedFrom} is given for a kind other than {@code RENAME}, or missing for it
     */
    public FileEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        if ((kind == FileEventKind.RENAME) != (movedFrom != null)) {
            throw new IllegalArgumentException("movedFrom is given for RENAME events and only for them: " + kind + " " + movedFrom);
        }
    }

    /**
     * An event without an old path.
     *
     * @param kind      what happened, not {@code RENAME}
     * @param path      the subject's absolute path
     * @param directory whether the subject is a directory
     * @return the event
     */
    public static FileEvent of(FileEventKind kind, Path path, boolean directory) {
        return new FileEvent(kind, path, null, directory);
    }
}
