package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;

/**
 * {@code inotify(7)}: constants, and thin wrappers returning {@code -errno}.
 *
 * <p>Records read from the fd are {@code struct inotify_event}: {@code int wd} at offset 0,
 * {@code uint32_t mask} at 4, {@code uint32_t cookie} at 8, {@code uint32_t len} at 12, then
 * {@code len} bytes of NUL-padded name; see {@code io.aem.linux.fs.InotifyRecords} for the
 * decoder. A read returns whole records only, as many as fit.
 */
public final class Inotify {
    /** File was accessed. */
    public static final int IN_ACCESS = 0x1;
    /** File was modified. */
    public static final int IN_MODIFY = 0x2;
    /** Metadata changed (permissions, ownership, timestamps, link count, extended attributes). */
    public static final int IN_ATTRIB = 0x4;
    /** Writable file was closed. */
    public static final int IN_CLOSE_WRITE = 0x8;
    /** Unwritable file was closed. */
    public static final int IN_CLOSE_NOWRITE = 0x10;
    /** File was opened. */
    public static final int IN_OPEN = 0x20;
    /** File was moved out of the watched directory; paired with {@link #IN_MOVED_TO} by cookie. */
    public static final int IN_MOVED_FROM = 0x40;
    /** File was moved into the watched directory. */
    public static final int IN_MOVED_TO = 0x80;
    /** File or directory was created in the watched directory. */
    public static final int IN_CREATE = 0x100;
    /** File or directory was deleted from the watched directory. */
    public static final int IN_DELETE = 0x200;
    /** The watched file or directory itself was deleted. */
    public static final int IN_DELETE_SELF = 0x400;
    /** The watched file or directory itself was moved. */
    public static final int IN_MOVE_SELF = 0x800;
    /** The filesystem of the watched object was unmounted. */
    public static final int IN_UNMOUNT = 0x2000;
    /** The event queue overflowed: events were lost ({@code wd} is -1). */
    public static final int IN_Q_OVERFLOW = 0x4000;
    /** The watch was removed (explicitly, or because its object is gone). */
    public static final int IN_IGNORED = 0x8000;
    /** Only watch the path if it is a directory. */
    public static final int IN_ONLYDIR = 0x1000000;
    /** Do not follow a symbolic link. */
    public static final int IN_DONT_FOLLOW = 0x2000000;
    /** No events for children after they were unlinked. */
    public static final int IN_EXCL_UNLINK = 0x4000000;
    /** Add to the mask of an existing watch instead of replacing it. */
    public static final int IN_MASK_ADD = 0x20000000;
    /** The subject of the event is a directory. */
    public static final int IN_ISDIR = 0x40000000;
    /** {@code IN_NONBLOCK} for {@link #init()}. */
    public static final int IN_NONBLOCK = 0x800;
    /** {@code IN_CLOEXEC} for {@link #init()}. */
    public static final int IN_CLOEXEC = 0x80000;
    /** Every event kind a watch can ask for. */
    public static final int IN_ALL_EVENTS = 0xfff | IN_UNMOUNT;
    /** Size of the fixed part of a record. */
    public static final int EVENT_HEADER_SIZE = 16;

    private Inotify() {
    }

    /** {@code inotify_init1(IN_NONBLOCK | IN_CLOEXEC)}: the fd, or {@code -errno} ({@code -EMFILE} at {@code fs.inotify.max_user_instances}). */
    public static int init() {
        int r = LibC.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code inotify_add_watch}. Allocates the path's bytes for the call: for setup, not per event.
     *
     * @param fd   the inotify fd
     * @param path the path, as the kernel sees it
     * @param mask event kinds and flags
     * @return the watch descriptor, or {@code -errno} ({@code -ENOSPC} at {@code fs.inotify.max_user_watches})
     */
    public static int addWatch(int fd, String path, int mask) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        try (Memory p = new Memory(bytes.length + 1L)) {
            p.write(0, bytes, 0, bytes.length);
            p.setByte(bytes.length, (byte) 0);
            int r = LibC.inotify_add_watch(fd, p, mask);
            return r >= 0 ? r : -Native.getLastError();
        }
    }

    /** {@code inotify_rm_watch}: {@code 0} or {@code -errno}. */
    public static int removeWatch(int fd, int wd) {
        int r = LibC.inotify_rm_watch(fd, wd);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
