package io.aem.linux.fs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One fanotify mark: a path and what around it is covered.
 *
 * @param path  an existing path; made absolute
 * @param scope the object, its mount, or its whole filesystem
 */
public record FanotifyMark(Path path, MarkScope scope) {
    /**
     * Checks the components and makes the path absolute.
     *
     * @throws NullPointerException if a component is {@code null}
     */
    public FanotifyMark {
        path = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        Objects.requireNonNull(scope, "scope");
    }

    /** A mark on the path itself (and the direct children of a directory). */
    public static FanotifyMark path(Path path) {
        return new FanotifyMark(path, MarkScope.PATH);
    }

    /** A mark on the mount holding the path. */
    public static FanotifyMark mount(Path path) {
        return new FanotifyMark(path, MarkScope.MOUNT);
    }

    /** A mark on the whole filesystem holding the path. */
    public static FanotifyMark filesystem(Path path) {
        return new FanotifyMark(path, MarkScope.FILESYSTEM);
    }
}
