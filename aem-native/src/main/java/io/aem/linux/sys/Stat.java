package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * {@code statx(2)} and {@code fstatfs(2)}, read by offset, returning {@code -errno}. Both work
 * on {@code O_PATH} fds and open nothing.
 *
 * <p><b>Layouts.</b> {@code struct statx} ({@link #STATX_SIZE} bytes, the same on every
 * architecture): {@code u32 stx_mask} at 0, {@code u32 stx_nlink} at {@link #STATX_NLINK_OFFSET},
 * {@code u16 stx_mode} at {@link #STATX_MODE_OFFSET}. {@code struct statfs} on 64-bit Linux
 * ({@link #STATFS_SIZE} bytes): {@code long f_type} at 0, {@code fsid_t f_fsid} (two
 * {@code int}s) at {@link #STATFS_FSID_OFFSET}; fanotify's records carry the same 8 bytes.
 */
public final class Stat {
    /** Size of {@code struct statx}. */
    public static final int STATX_SIZE = 256;
    /** {@code STATX_TYPE}. */
    public static final int STATX_TYPE = 0x1;
    /** {@code STATX_NLINK}. */
    public static final int STATX_NLINK = 0x4;
    /** Offset of {@code stx_nlink}. */
    public static final int STATX_NLINK_OFFSET = 16;
    /** Offset of {@code stx_mode}. */
    public static final int STATX_MODE_OFFSET = 28;
    /** {@code S_IFMT}. */
    public static final int S_IFMT = 0xF000;
    /** {@code S_IFDIR}. */
    public static final int S_IFDIR = 0x4000;
    /** Size of {@code struct statfs} on 64-bit Linux. */
    public static final int STATFS_SIZE = 120;
    /** Offset of {@code f_type} in {@code struct statfs}. */
    public static final int STATFS_TYPE_OFFSET = 0;
    /** Offset of {@code f_fsid} in {@code struct statfs} on 64-bit Linux. */
    public static final int STATFS_FSID_OFFSET = 56;

    private Stat() {
    }

    /**
     * {@code statx(dirfd, path, flags, mask, buf)}.
     *
     * @param dirfd an fd or {@link Io#AT_FDCWD}
     * @param path  a NUL-terminated path; empty with {@link FileHandles#AT_EMPTY_PATH} for the fd itself
     * @param flags {@code AT_*} flags
     * @param mask  {@code STATX_*} fields wanted
     * @param buf   {@link #STATX_SIZE} bytes
     * @return {@code 0} or {@code -errno}
     */
    public static int statx(int dirfd, Pointer path, int flags, int mask, Pointer buf) {
        int r = LibC.statx(dirfd, path, flags, mask, buf);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code fstatfs(fd, buf)}.
     *
     * @param fd  any fd, {@code O_PATH} included
     * @param buf {@link #STATFS_SIZE} bytes
     * @return {@code 0} or {@code -errno}
     */
    public static int fstatfs(int fd, Pointer buf) {
        int r = LibC.fstatfs(fd, buf);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
