package io.aem.linux.fs;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.sys.Limits;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns inotify failures into typed exceptions that name the cause and the remedy, reading the
 * limits they name at failure time. Never on a hot path.
 */
final class InotifyErrors {
    /** The per-user limit of inotify instances. */
    static final String MAX_USER_INSTANCES = "/proc/sys/fs/inotify/max_user_instances";
    /** The per-user limit of inotify watches. */
    static final String MAX_USER_WATCHES = "/proc/sys/fs/inotify/max_user_watches";
    /** The per-instance limit of queued events. */
    static final String MAX_QUEUED_EVENTS = "/proc/sys/fs/inotify/max_queued_events";

    private InotifyErrors() {
    }

    /**
     * {@code inotify_init1} failed. {@code EMFILE} is either the per-user instance limit or the
     * process's descriptor limit: the descriptors open now decide which one is named.
     */
    static KernelException initFailure(int errno) {
        if (errno == Errno.EMFILE) {
            long[] nofile = Limits.rlimit(Limits.RLIMIT_NOFILE);
            long open = openDescriptors();
            boolean atFdLimit = open < 0 || nofile != null && nofile[0] >= 0 && open >= nofile[0] - 1;
            if (!atFdLimit) {
                return new ResourceLimitException("inotify_init1", errno, "fs.inotify.max_user_instances",
                        Limits.readProc(MAX_USER_INSTANCES), "every subscription to a file watch holds one inotify"
                                + " instance, counted per user; raise the limit (sysctl -w fs.inotify.max_user_instances=N,"
                                + " kept in /etc/sysctl.d/), end subscriptions no longer needed, or share one subscription"
                                + " between consumers (Flux.share()); the process's descriptor limit is not the cause ("
                                + open + " open, RLIMIT_NOFILE " + Limits.describe(nofile) + ")");
            }
        }
        return Errno.exception("inotify_init1", errno, null);
    }

    /** Descriptors open in this process (not counting the one used to count), or -1 when they cannot be listed. */
    private static long openDescriptors() {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            long n = -1;
            for (Path ignored : fds) {
                n++;
            }
            return n;
        } catch (IOException | DirectoryIteratorException | SecurityException e) {
            return -1;
        }
    }

    /**
     * {@code inotify_add_watch} failed.
     *
     * @param errno       the positive errno
     * @param path        the path it was called with
     * @param directory   whether a directory was required ({@code IN_ONLYDIR})
     * @param inTree      whether the path is a subdirectory found in a watched tree (for the messages)
     * @return the exception to throw
     */
    static IOException addWatchFailure(int errno, Path path, boolean directory, boolean inTree) {
        String what = inTree ? "this subdirectory of the watched tree" : "this path";
        switch (errno) {
            case Errno.ENOENT:
                return new NoSuchFileException(path.toString(), null, "inotify_add_watch: " + what
                        + " does not exist; create it first, or watch an existing directory above it");
            case Errno.EACCES:
                return new AccessDeniedException(path.toString(), null, "inotify_add_watch: no permission to watch "
                        + what + "; it needs read permission on it and search permission on every directory above it:"
                        + " grant them (chmod, setfacl) or watch from a user that has them"
                        + (inTree ? ", or watch a smaller tree" : ""));
            case Errno.ENOTDIR:
                if (directory) {
                    return new ReasonedNotDirectoryException(path.toString(), "a directory or tree watch needs a"
                            + " directory; watch a single file with FileWatch.file(path)");
                }
                return new FileSystemException(path.toString(), null, "inotify_add_watch: a component of the path is"
                        + " not a directory; check the path");
            case Errno.ENOSPC:
                return new ResourceLimitException("inotify_add_watch(" + path + ")", errno, "fs.inotify.max_user_watches",
                        Limits.readProc(MAX_USER_WATCHES), "every watched directory takes one watch (about 1 KB of"
                                + " kernel memory), counted per user over all processes; raise the limit (sysctl -w"
                                + " fs.inotify.max_user_watches=N, kept in /etc/sysctl.d/) or watch a smaller tree");
            case 40: // ELOOP
                return new FileSystemException(path.toString(), null, "inotify_add_watch: too many levels of symbolic"
                        + " links; watch the link's target");
            case 36: // ENAMETOOLONG
                return new FileSystemException(path.toString(), null, "inotify_add_watch: the path is too long for the"
                        + " kernel (PATH_MAX 4096); watch a shorter path");
            default:
                return Errno.exception("inotify_add_watch(" + path + ")", errno, null);
        }
    }

    /** A {@link NotDirectoryException} that says what to do. */
    private static final class ReasonedNotDirectoryException extends NotDirectoryException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        ReasonedNotDirectoryException(String file, String reason) {
            super(file);
            this.reason = reason;
        }

        @Override
        public String getReason() {
            return "not a directory: " + reason;
        }
    }
}
