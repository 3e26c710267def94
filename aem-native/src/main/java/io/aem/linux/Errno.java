package io.aem.linux;

import io.aem.linux.sys.LibC;
import io.aem.linux.sys.Limits;

/**
 * Linux {@code errno} values and the single place where a failed call becomes a typed exception.
 *
 * <p>The wrappers in {@code io.aem.linux.sys} return {@code -errno} instead of throwing, like
 * Netty's {@code Native}; callers handle {@link #EAGAIN} and {@link #EINTR} themselves (wait for
 * readiness, retry) and pass anything else to {@link #exception(String, int, String)}.
 * The values are those of the generic Linux ABI (x86-64, aarch64, riscv64).
 */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call: retried, never thrown. */
    public static final int EINTR = 4;
    /** I/O error. */
    public static final int EIO = 5;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** No child processes. */
    public static final int ECHILD = 10;
    /** Try again: the non-blocking call would block; never thrown. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** Cross-device link (fanotify: a subvolume whose filesystem id differs from its filesystem's). */
    public static final int EXDEV = 18;
    /** No such device (fanotify: the filesystem has no filesystem id). */
    public static final int ENODEV = 19;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** File table overflow (system-wide limit). */
    public static final int ENFILE = 23;
    /** Too many open files (per-process limit). */
    public static final int EMFILE = 24;
    /** No space left on device (also: inotify watch limit). */
    public static final int ENOSPC = 28;
    /** Broken pipe. */
    public static final int EPIPE = 32;
    /** Function not implemented. */
    public static final int ENOSYS = 38;
    /** No buffer space available (netlink loss). */
    public static final int ENOBUFS = 105;
    /** Address family not supported. */
    public static final int EAFNOSUPPORT = 97;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Address already in use. */
    public static final int EADDRINUSE = 98;
    /** Cannot assign requested address (not a local address). */
    public static final int EADDRNOTAVAIL = 99;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** Connection reset by peer. */
    public static final int ECONNRESET = 104;
    /** Transport endpoint is not connected. */
    public static final int ENOTCONN = 107;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Connection refused. */
    public static final int ECONNREFUSED = 111;
    /** No route to host. */
    public static final int EHOSTUNREACH = 113;
    /** Stale file handle: the object a handle names no longer exists. */
    public static final int ESTALE = 116;
    /** Operation canceled (timerfd: the realtime clock was set). */
    public static final int ECANCELED = 125;

    private static final String[] NAMES = new String[134];

    static {
        String[][] pairs = {
            {"1", "EPERM"}, {"2", "ENOENT"}, {"3", "ESRCH"}, {"4", "EINTR"}, {"5", "EIO"}, {"9", "EBADF"},
            {"10", "ECHILD"}, {"11", "EAGAIN"}, {"12", "ENOMEM"}, {"13", "EACCES"}, {"14", "EFAULT"},
            {"16", "EBUSY"}, {"17", "EEXIST"}, {"18", "EXDEV"}, {"19", "ENODEV"}, {"20", "ENOTDIR"}, {"21", "EISDIR"}, {"22", "EINVAL"},
            {"23", "ENFILE"}, {"24", "EMFILE"}, {"28", "ENOSPC"}, {"32", "EPIPE"}, {"38", "ENOSYS"},
            {"95", "EOPNOTSUPP"}, {"97", "EAFNOSUPPORT"}, {"98", "EADDRINUSE"}, {"99", "EADDRNOTAVAIL"}, {"101", "ENETUNREACH"}, {"104", "ECONNRESET"}, {"107", "ENOTCONN"},
            {"105", "ENOBUFS"}, {"110", "ETIMEDOUT"}, {"111", "ECONNREFUSED"}, {"113", "EHOSTUNREACH"}, {"115", "EINPROGRESS"}, {"116", "ESTALE"}, {"125", "ECANCELED"},
        };
        for (String[] p : pairs) {
            NAMES[Integer.parseInt(p[0])] = p[1];
        }
    }

    private Errno() {
    }

    /** The symbolic name of an {@code errno} value, or {@code "errno N"} when unknown. */
    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** {@code "NAME (strerror text)"}, for messages. */
    public static String describe(int errno) {
        String text;
        try {
            text = LibC.strerror(errno);
        } catch (LinkageError e) {
            text = null;
        }
        return text == null ? name(errno) : name(errno) + " (" + text + ")";
    }

    /**
     * Turns a failed call into the most precise exception type: file-descriptor limits become
     * {@link ResourceLimitException} with the limit's current value, {@code EPERM}/{@code EACCES}
     * become {@link MissingPrivilegeException} when {@code privilege} is given, {@code ENOSYS}
     * becomes {@link UnsupportedKernelFeatureException}; anything else a {@link KernelException}.
     *
     * @param call      the call that failed
     * @param errno     the positive {@code errno}
     * @param privilege the capability the call needs, or {@code null} when it needs none
     * @return the exception, to be thrown or signalled by the caller
     */
    public static KernelException exception(String call, int errno, String privilege) {
        switch (errno) {
            case EMFILE:
                return new ResourceLimitException(call, errno, "RLIMIT_NOFILE", Limits.openFilesDescription(),
                        "close descriptors that are no longer needed or raise the soft limit"
                                + " (ulimit -n, LimitNOFILE=) up to the hard limit");
            case ENFILE:
                return new ResourceLimitException(call, errno, "fs.file-max", Limits.readProc("/proc/sys/fs/file-max"),
                        "the whole system is out of file descriptors; raise fs.file-max or find the process holding them");
            case ENOMEM:
                return new ResourceLimitException(call, errno, "kernel memory", "exhausted",
                        "free memory or lower the number of kernel objects held open");
            case EPERM:
            case EACCES:
                if (privilege != null) {
                    return new MissingPrivilegeException(call, errno, privilege,
                            "grant it to the process (for example setcap or the container's capabilities) or run as root");
                }
                return new KernelException(call, errno, "the process lacks permission for this operation");
            case ENOSYS:
                return new UnsupportedKernelFeatureException(call, errno, call,
                        "the running kernel does not implement this system call; use a newer kernel");
            default:
                return new KernelException(call, errno, null);
        }
    }
}
