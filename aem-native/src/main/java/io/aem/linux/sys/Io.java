package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * {@code read}, {@code write}, {@code close} and {@code pipe2}, returning {@code -errno}.
 */
public final class Io {
    /** {@code O_NONBLOCK}. */
    public static final int O_NONBLOCK = 0x800;
    /** {@code O_CLOEXEC}. */
    public static final int O_CLOEXEC = 0x80000;
    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_LARGEFILE} (x86-64: {@code 0}, implied; the value of other 64-bit ABIs' headers). */
    public static final int O_LARGEFILE = 0;
    /** {@code O_PATH}: a handle that names an object without opening it (no open event, no permission check of its content). */
    public static final int O_PATH = 0x200000;
    /** {@code O_DIRECTORY}. */
    public static final int O_DIRECTORY = 0x10000;
    /** {@code AT_FDCWD}: paths relative to the working directory. */
    public static final int AT_FDCWD = -100;

    /** {@code F_DUPFD_CLOEXEC}. */
    private static final int F_DUPFD_CLOEXEC = 1030;

    private Io() {
    }

    /** {@code read(2)}: bytes read ({@code 0} at end of file), or {@code -errno}. */
    public static long read(int fd, Pointer buf, long count) {
        long r = LibC.read(fd, buf, count);
        return r >= 0 ? r : -Native.getLastError();
    }

    /** {@code write(2)}: bytes written, or {@code -errno}. */
    public static long write(int fd, Pointer buf, long count) {
        long r = LibC.write(fd, buf, count);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code close(2)}: {@code 0} or {@code -errno}. On Linux the descriptor is released even
     * when close reports an error (including {@code EINTR}), so it is never retried.
     */
    public static int close(int fd) {
        int r = LibC.close(fd);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: a second descriptor, close-on-exec, for the same open
     * file description (closing one leaves the file open through the other).
     *
     * @return the new descriptor, or {@code -errno}
     */
    public static int dupCloexec(int fd) {
        int r = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code pipe2(fds, flags)}.
     *
     * @param fds   8 bytes that receive the read end at offset 0 and the write end at offset 4
     * @param flags {@link #O_NONBLOCK}, {@link #O_CLOEXEC}
     * @return {@code 0} or {@code -errno}
     */
    public static int pipe(Pointer fds, int flags) {
        int r = LibC.pipe2(fds, flags);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
