package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Pipes: {@code pipe2(2)} and the {@code fcntl(2)} commands that read and change a pipe end's
 * flags and a pipe's capacity, each returning {@code -errno} on failure.
 *
 * <p>The two ends of a pipe are two open file descriptions, so {@code O_NONBLOCK} set on one end
 * ({@link #setNonBlocking}) leaves the other end blocking: the parent's end of a child's stdio pipe
 * can be non-blocking for the event loop while the child's end stays an ordinary blocking fd.
 * {@code O_CLOEXEC} is a flag of the descriptor, not of the description; {@code posix_spawn}'s
 * {@code dup2} file action clears it on the duplicate it makes in the child.
 *
 * <p>Thread-safe; each method is one or two system calls.
 */
public final class Pipes {
    /** {@code O_CLOEXEC}: the descriptor is closed across {@code execve}. */
    public static final int O_CLOEXEC = Io.O_CLOEXEC;
    /** {@code O_NONBLOCK}: reads and writes answer {@code EAGAIN} instead of blocking. */
    public static final int O_NONBLOCK = Io.O_NONBLOCK;
    /** {@code F_GETFL}: the file status flags. */
    static final int F_GETFL = 3;
    /** {@code F_SETFL}: sets the file status flags ({@code O_NONBLOCK}, {@code O_APPEND}...). */
    static final int F_SETFL = 4;
    /** {@code F_SETPIPE_SZ} (Linux 2.6.35). */
    static final int F_SETPIPE_SZ = 1031;
    /** {@code F_GETPIPE_SZ} (Linux 2.6.35). */
    static final int F_GETPIPE_SZ = 1032;

    private Pipes() {
    }

    /**
     * {@code pipe2(fds, flags)}: makes a pipe.
     *
     * @param flags {@link #O_CLOEXEC}, {@link #O_NONBLOCK}, applied to both ends
     * @param out   receives the read end at index 0 and the write end at index 1
     * @return {@code 0} or {@code -errno} ({@code EMFILE}, {@code ENFILE})
     */
    public static int open(int flags, int[] out) {
        if (out.length < 2) {
            throw new IllegalArgumentException("pipe2 needs room for two descriptors, got " + out.length);
        }
        try (Memory fds = new Memory(8)) {
            int r = Io.pipe(fds, flags);
            if (r == 0) {
                out[0] = fds.getInt(0);
                out[1] = fds.getInt(4);
            }
            return r;
        }
    }

    /**
     * {@code fcntl(fd, F_GETFL)}: the file status flags of the open file description.
     *
     * @return the flags ({@code >= 0}) or {@code -errno}
     */
    public static int statusFlags(int fd) {
        int r = LibC.fcntl(fd, F_GETFL, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * Adds {@code O_NONBLOCK} to the open file description of {@code fd} ({@code F_GETFL}, then
     * {@code F_SETFL} if the flag is missing). Affects every descriptor that shares the
     * description (duplicates), not the other end of a pipe.
     *
     * @return {@code 0} or {@code -errno}
     */
    public static int setNonBlocking(int fd) {
        int flags = statusFlags(fd);
        if (flags < 0) {
            return flags;
        }
        if ((flags & O_NONBLOCK) != 0) {
            return 0;
        }
        int r = LibC.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        return r >= 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code fcntl(fd, F_GETPIPE_SZ)}: the pipe's capacity in bytes (65536 by default).
     *
     * @return the capacity or {@code -errno}
     */
    public static int capacity(int fd) {
        int r = LibC.fcntl(fd, F_GETPIPE_SZ, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code fcntl(fd, F_SETPIPE_SZ, bytes)}: changes the pipe's capacity; the kernel rounds it up
     * to a power-of-two number of pages. An unprivileged process may not exceed
     * {@code /proc/sys/fs/pipe-max-size} ({@code EPERM}); shrinking below the data held gives
     * {@code EBUSY}.
     *
     * @return the capacity set, or {@code -errno}
     */
    public static int setCapacity(int fd, int bytes) {
        int r = LibC.fcntl(fd, F_SETPIPE_SZ, bytes);
        return r >= 0 ? r : -Native.getLastError();
    }
}
