package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * File handles ({@code name_to_handle_at(2)}, {@code open_by_handle_at(2)}) and the two calls
 * that turn an fd back into a path without opening anything for content: {@code openat(2)} and
 * {@code readlink(2)}. Thin wrappers returning {@code -errno}.
 *
 * <p><b>Layout.</b> {@code struct file_handle} is {@code u32 handle_bytes} at 0,
 * {@code s32 handle_type} at 4, then {@code handle_bytes} opaque bytes; at most
 * {@link #MAX_HANDLE_SZ} of them. fanotify's FID records carry exactly this struct.
 *
 * <p><b>Mount fd.</b> {@code open_by_handle_at} decodes the handle in the filesystem of its
 * {@code mount_fd} and gives the result that fd's mount. The kernel takes the mount fd with
 * {@code fdget}, which refuses {@code O_PATH} fds ({@code EBADF}): it must be an fd opened for
 * reading, such as a directory opened {@code O_RDONLY | O_DIRECTORY}. The fd it returns may be
 * {@link Io#O_PATH}, which opens nothing for content and raises no fanotify open or permission
 * event. Decoding needs {@code CAP_DAC_READ_SEARCH}.
 */
public final class FileHandles {
    /** {@code MAX_HANDLE_SZ}: the largest {@code handle_bytes} the kernel accepts. */
    public static final int MAX_HANDLE_SZ = 128;
    /** Bytes of {@code struct file_handle} before the opaque bytes. */
    public static final int HEADER_SIZE = 8;
    /** {@code AT_EMPTY_PATH}: operate on the dirfd itself when the path is empty. */
    public static final int AT_EMPTY_PATH = 0x1000;

    private FileHandles() {
    }

    /**
     * {@code name_to_handle_at(2)}.
     *
     * @param dirfd    a directory fd, {@link Io#AT_FDCWD}, or any fd with {@link #AT_EMPTY_PATH}
     * @param path     a NUL-terminated path
     * @param handle   {@link #HEADER_SIZE} + {@link #MAX_HANDLE_SZ} bytes; {@code handle_bytes} set to the room for bytes
     * @param mountId  4 bytes for the mount id
     * @param flags    {@link #AT_EMPTY_PATH}, {@code AT_SYMLINK_FOLLOW}
     * @return {@code 0} or {@code -errno} ({@code -EOPNOTSUPP}: the filesystem cannot encode handles)
     */
    public static int nameToHandle(int dirfd, Pointer path, Pointer handle, Pointer mountId, int flags) {
        int r = LibC.name_to_handle_at(dirfd, path, handle, mountId, flags);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code open_by_handle_at(2)}.
     *
     * @param mountFd an fd on the handle's filesystem, not {@code O_PATH} (see the class comment)
     * @param handle  a {@code struct file_handle}
     * @param flags   open flags; {@code O_PATH | O_CLOEXEC} to open nothing for content
     * @return the new fd, or {@code -errno} ({@code -ESTALE}: the object is gone, {@code -EPERM}:
     *         no {@code CAP_DAC_READ_SEARCH}, {@code -EBADF}: an {@code O_PATH} mount fd)
     */
    public static int openByHandle(int mountFd, Pointer handle, int flags) {
        int r = LibC.open_by_handle_at(mountFd, handle, flags);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code openat(2)} without a mode (no {@code O_CREAT}).
     *
     * @param dirfd a directory fd or {@link Io#AT_FDCWD}
     * @param path  a NUL-terminated path
     * @param flags open flags
     * @return the new fd or {@code -errno}
     */
    public static int openat(int dirfd, Pointer path, int flags) {
        int r = LibC.openat(dirfd, path, flags, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code readlink(2)}: the link's bytes, not NUL-terminated. A result equal to {@code size}
     * may be truncated.
     *
     * @param path a NUL-terminated path, for example {@code /proc/self/fd/7}
     * @param buf  the destination
     * @param size its size
     * @return the number of bytes, or {@code -errno}
     */
    public static long readlink(Pointer path, Pointer buf, long size) {
        long r = LibC.readlink(path, buf, size);
        return r >= 0 ? r : -Native.getLastError();
    }
}
