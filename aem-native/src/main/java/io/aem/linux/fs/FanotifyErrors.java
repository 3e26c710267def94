package io.aem.linux.fs;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Turns the refusals of {@code fanotify_init}, {@code fanotify_mark} and the calls that prepare a
 * mark into typed exceptions that say what to do. Failure paths only: the probes that find which
 * flag a kernel lacks make system calls of their own.
 */
final class FanotifyErrors {
    private static final String GRANT = grant("CAP_SYS_ADMIN");

    private FanotifyErrors() {
    }

    /** The loop thread lacks a capability the source needs; checked before {@code fanotify_init}. */
    static MissingPrivilegeException missingCapability(String capability, String why) {
        return new MissingPrivilegeException("fanotify_init", Errno.EPERM, capability, why + "; " + grant(capability));
    }

    private static String grant(String capability) {
        return "grant it to the process (setcap " + capability.toLowerCase(Locale.ROOT) + "+ep, the container's"
                + " capabilities, AmbientCapabilities= in a systemd unit) or run as root";
    }

    /**
     * A failed {@code fanotify_init}.
     *
     * @param errno the positive errno
     * @param flags the init flags that were refused
     * @return the exception
     */
    static KernelException init(int errno, int flags) {
        switch (errno) {
            case Errno.EPERM:
                return new MissingPrivilegeException("fanotify_init", errno, "CAP_SYS_ADMIN",
                        "a notification group that reports the acting pid and takes mount and filesystem marks needs it; "
                                + GRANT);
            case Errno.EINVAL:
                return unsupportedInitFlag(flags);
            case Errno.EMFILE:
                if (openFds() >= softNoFile()) {
                    return Errno.exception("fanotify_init", errno, null);
                }
                return new ResourceLimitException("fanotify_init", errno, "fs.fanotify.max_user_groups",
                        Limits.readProc("/proc/sys/fs/fanotify/max_user_groups"),
                        "this user has as many fanotify groups as allowed (one per open fanotify stream);"
                                + " end streams that are no longer needed or raise it: sysctl fs.fanotify.max_user_groups=N");
            default:
                return Errno.exception("fanotify_init", errno, "CAP_SYS_ADMIN");
        }
    }

    /** Finds which file-id flag the kernel refused, by trying the older ones alone. */
    private static KernelException unsupportedInitFlag(int flags) {
        int fidOnly = Fanotify.init(Fanotify.FAN_CLASS_NOTIF | Fanotify.FAN_CLOEXEC | Fanotify.FAN_REPORT_FID,
                Io.O_RDONLY | Io.O_CLOEXEC);
        if (fidOnly >= 0) {
            Io.close(fidOnly);
            return new UnsupportedKernelFeatureException("fanotify_init", Errno.EINVAL,
                    "FAN_REPORT_DIR_FID | FAN_REPORT_NAME (directory file ids with entry names)",
                    "they need Linux 5.9; this kernel is " + kernelRelease());
        }
        return new UnsupportedKernelFeatureException("fanotify_init", Errno.EINVAL,
                "FAN_REPORT_FID (file ids instead of fds)", "it needs Linux 5.1 (file ids with names: 5.9); this kernel is "
                + kernelRelease() + "; init flags were 0x" + Integer.toHexString(flags));
    }

    /**
     * A failed {@code fanotify_mark}.
     *
     * @param errno the positive errno
     * @param group the group fd, for the probes that find an unsupported flag
     * @param mark  the mark
     * @param flags the {@code FAN_MARK_*} flags
     * @param mask  the event mask
     * @return the exception
     */
    static IOException mark(int errno, int group, FanotifyMark mark, int flags, long mask) {
        String call = "fanotify_mark(" + mark.scope() + " " + mark.path() + ")";
        switch (errno) {
            case Errno.ENOENT:
            case Errno.ENOTDIR:
                return noSuchFile(mark.path());
            case Errno.EACCES:
                return new AccessDeniedException(mark.path().toString(), null, "fanotify_mark: "
                        + Errno.describe(errno) + "; the process needs search permission on every directory of the path");
            case Errno.EPERM:
                return new MissingPrivilegeException(call, errno, "CAP_SYS_ADMIN",
                        mark.scope() + " marks need it; " + GRANT);
            case Errno.ENOSPC:
                return new ResourceLimitException(call, errno, "fs.fanotify.max_user_marks",
                        Limits.readProc("/proc/sys/fs/fanotify/max_user_marks"),
                        "this user has as many fanotify marks as allowed; end streams or remove marks no longer needed,"
                                + " mark a filesystem or mount instead of many paths (one mark each), or raise it:"
                                + " sysctl fs.fanotify.max_user_marks=N");
            case Errno.ENODEV:
                return unsupportedFilesystem(call, errno, mark.path(),
                        "has no filesystem id (fsid) to report file ids with (FUSE; tmpfs before Linux 5.13);"
                                + " watch it with inotify, or mark a filesystem that has one");
            case Errno.EOPNOTSUPP:
                return unsupportedFilesystem(call, errno, mark.path(),
                        "cannot encode file handles, or takes no " + mark.scope() + " marks (proc, sysfs and other"
                                + " pseudo filesystems); mark a regular filesystem, or watch it with inotify");
            case Errno.EXDEV:
                return unsupportedFilesystem(call, errno, mark.path(),
                        "reports a filesystem id that differs from its filesystem's root (a btrfs subvolume, or a"
                                + " filesystem whose id another one shares); use a PATH mark on the directory, or mark"
                                + " the root of the subvolume's filesystem");
            case Errno.EINVAL:
                return unsupportedMarkFeature(group, mark, flags, mask, call);
            default:
                return Errno.exception(call, errno, null);
        }
    }

    /** Finds which mark feature the kernel refused, by trying the mark without each newer one. */
    private static KernelException unsupportedMarkFeature(int group, FanotifyMark mark, int flags, long mask, String call) {
        String path = mark.path().toString();
        if ((mask & Fanotify.FAN_RENAME) != 0
                && Fanotify.mark(group, flags, mask & ~Fanotify.FAN_RENAME, path) == 0) {
            return new UnsupportedKernelFeatureException(call, Errno.EINVAL, "FAN_RENAME (RENAME events with both paths)",
                    "it needs Linux 5.17; this kernel is " + kernelRelease() + "; ask MOVED_OUT and MOVED_IN instead");
        }
        if ((flags & Fanotify.FAN_MARK_FILESYSTEM) != 0
                && Fanotify.mark(group, flags & ~Fanotify.FAN_MARK_FILESYSTEM, mask & ~Fanotify.FAN_RENAME, path) == 0) {
            return new UnsupportedKernelFeatureException(call, Errno.EINVAL, "FAN_MARK_FILESYSTEM (filesystem marks)",
                    "they need Linux 4.20; this kernel is " + kernelRelease() + "; use a PATH mark");
        }
        if ((mask & Fanotify.FAN_OPEN_EXEC) != 0
                && Fanotify.mark(group, flags, mask & ~(Fanotify.FAN_OPEN_EXEC | Fanotify.FAN_RENAME), path) == 0) {
            return new UnsupportedKernelFeatureException(call, Errno.EINVAL, "FAN_OPEN_EXEC (OPEN_EXEC events)",
                    "it needs Linux 5.0; this kernel is " + kernelRelease());
        }
        return new KernelException(call, Errno.EINVAL, "the kernel (" + kernelRelease() + ") refused event mask 0x"
                + Long.toHexString(mask) + " with mark flags 0x" + Integer.toHexString(flags) + "; directory-entry"
                + " events in file-id mode need Linux 5.1");
    }

    /**
     * A failure to open or inspect a marked path before marking it.
     *
     * @param call  the call
     * @param errno the positive errno
     * @param path  the path
     * @return the exception
     */
    static IOException path(String call, int errno, Path path) {
        switch (errno) {
            case Errno.ENOENT:
            case Errno.ENOTDIR:
                return noSuchFile(path);
            case Errno.EACCES:
                return new AccessDeniedException(path.toString(), null, call + ": " + Errno.describe(errno)
                        + "; the process needs search permission on every directory of the path");
            case Errno.EOPNOTSUPP:
                return unsupportedFilesystem(call, errno, path, "cannot encode file handles (proc, sysfs and other"
                        + " pseudo filesystems), so event paths could not be found; mark a regular filesystem,"
                        + " or watch it with inotify");
            default:
                return Errno.exception(call + " " + path, errno, null);
        }
    }

    /** A filesystem whose handles do not open again ({@code open_by_handle_at} failed on the mark's own handle). */
    static IOException undecodableHandles(int errno, Path path) {
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return missingCapability("CAP_DAC_READ_SEARCH",
                    "open_by_handle_at, which turns the file ids of events into paths, needs it");
        }
        return unsupportedFilesystem("open_by_handle_at", errno, path,
                "cannot open file handles again, so the paths of its events could not be found; mark a regular"
                        + " filesystem, or watch it with inotify");
    }

    static UnsupportedFilesystemException unsupportedFilesystem(String call, int errno, Path path, String detail) {
        return new UnsupportedFilesystemException(call, errno, path, MountTable.describe(path), detail);
    }

    private static NoSuchFileException noSuchFile(Path path) {
        return new NoSuchFileException(path.toString(), null,
                "fanotify cannot mark a path that does not exist; create it first or mark an existing parent");
    }

    private static String kernelRelease() {
        return "Linux " + Limits.readProc("/proc/sys/kernel/osrelease");
    }

    /** The process's open fds; when even listing them fails, the process is out of fds. */
    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long softNoFile() {
        long[] limit = Limits.rlimit(Limits.RLIMIT_NOFILE);
        return limit == null || limit[0] < 0 ? Long.MAX_VALUE : limit[0];
    }
}
