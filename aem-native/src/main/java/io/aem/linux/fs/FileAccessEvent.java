package io.aem.linux.fs;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One access to a file or directory, as a fanotify watch reports it: what happened, where, and
 * who did it.
 *
 * <p><b>Paths</b> are absolute and read when the event is decoded on the loop thread, not when
 * it happened: the kernel reports a directory's file handle and the entry name, and the loop
 * turns the handle back into the directory's current path. A directory renamed between the event
 * and its decoding therefore shows its new path. {@link #path()} is {@code null} only when no
 * path can be found: the directory holding the entry (or the object itself) was deleted and
 * evicted before the event was decoded, the event came from a filesystem or mount mark for an
 * object deleted since ({@link FileEventKind#DELETE_SELF} outside a path mark), or the event is
 * an {@link FileEventKind#OVERFLOW}. A {@link FileEventKind#DELETE_SELF} of an object marked
 * with a path mark carries the marked path. Paths of filesystem-mark events are given as seen
 * through the mount of the marked path.
 *
 * @param kind       what happened
 * @param path       the subject's absolute path (the new path of a {@link FileEventKind#RENAME});
 *                   {@code null} when it could not be resolved, see above
 * @param oldPath    the old absolute path of a {@link FileEventKind#RENAME}; {@code null} for
 *                   every other kind, or when it could not be resolved
 * @param directory  whether the subject is a directory ({@code FAN_ONDIR})
 * @param pid        the process that acted, in this JVM's pid namespace; {@code 0} when the
 *                   kernel withholds it (a process of another pid namespace) or for an overflow
 * @param executable that process's executable, read from {@code /proc/<pid>/exe} when the event
 *                   was decoded; empty when the process had already exited (a zombie has none
 *                   either), for pid {@code 0}, or for kernel threads. A process that called
 *                   {@code execve} since shows its new executable
 * @param mark       the watch's mark the event came through: the path mark of the subject or of
 *                   its directory when there is one, else the filesystem or mount mark of the
 *                   subject's filesystem; {@code null} for an overflow (and for an event of a
 *                   filesystem the watch does not mark, which the kernel does not send)
 */
public record FileAccessEvent(FileEventKind kind, Path path, Path oldPath, boolean directory, int pid,
                              Optional<Path> executable, FanotifyMark mark) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException     if {@code kind} or {@code executable} is {@code null}
     * @throws IllegalArgumentException if {@code oldPath} is given for a kind other than {@code RENAME}
     */
    public FileAccessEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(executable, "executable");
        if (oldPath != null && kind != FileEventKind.RENAME) {
            throw new IllegalArgumentException("oldPath is given for RENAME events only, not " + kind + ": " + oldPath);
        }
    }

    /**
     * The overflow marker: events were lost before this point.
     *
     * @param pid the pid field of the kernel's overflow record (normally {@code 0})
     * @return the event
     */
    public static FileAccessEvent overflow(int pid) {
        return new FileAccessEvent(FileEventKind.OVERFLOW, null, null, false, pid, Optional.empty(), null);
    }

    /** {@link #path()} as an {@link Optional}, empty when it could not be resolved. */
    public Optional<Path> resolvedPath() {
        return Optional.ofNullable(path);
    }
}
