package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * {@code fanotify(7)}: constants, record layout, and thin wrappers returning {@code -errno}.
 *
 * <p><b>Records.</b> A read returns whole events. Each starts with
 * {@code struct fanotify_event_metadata} (24 bytes): {@code u32 event_len} at 0, {@code u8 vers}
 * at 4 ({@link #METADATA_VERSION}), {@code u16 metadata_len} at 6, {@code u64 mask} at 8,
 * {@code s32 fd} at 16 ({@link #FAN_NOFD} in FID mode), {@code s32 pid} at 20. In FID mode info
 * records follow up to {@code event_len}, each with a 4-byte header ({@code u8 info_type},
 * {@code u8 pad}, {@code u16 len}); FID records then hold an 8-byte {@code fsid} and a
 * {@code struct file_handle} ({@code u32 handle_bytes}, {@code s32 handle_type}, the bytes),
 * followed for the {@code *_DFID_NAME} types by a NUL-terminated name.
 *
 * <p><b>Privilege.</b> {@code fanotify_init} needs {@code CAP_SYS_ADMIN} for everything this
 * project uses (permission classes, mount and filesystem marks); without it the call answers
 * {@code -EPERM}.
 */
public final class Fanotify {
    /** File was accessed. */
    public static final long FAN_ACCESS = 0x1L;
    /** File was modified. */
    public static final long FAN_MODIFY = 0x2L;
    /** Metadata changed. */
    public static final long FAN_ATTRIB = 0x4L;
    /** Writable file closed. */
    public static final long FAN_CLOSE_WRITE = 0x8L;
    /** Unwritable file closed. */
    public static final long FAN_CLOSE_NOWRITE = 0x10L;
    /** File was opened. */
    public static final long FAN_OPEN = 0x20L;
    /** Entry moved out of a directory (FID mode). */
    public static final long FAN_MOVED_FROM = 0x40L;
    /** Entry moved into a directory (FID mode). */
    public static final long FAN_MOVED_TO = 0x80L;
    /** Entry created (FID mode). */
    public static final long FAN_CREATE = 0x100L;
    /** Entry deleted (FID mode). */
    public static final long FAN_DELETE = 0x200L;
    /** Marked object deleted (FID mode). */
    public static final long FAN_DELETE_SELF = 0x400L;
    /** Marked object moved (FID mode). */
    public static final long FAN_MOVE_SELF = 0x800L;
    /** File opened for execution. */
    public static final long FAN_OPEN_EXEC = 0x1000L;
    /** The event queue overflowed. */
    public static final long FAN_Q_OVERFLOW = 0x4000L;
    /** Filesystem error (filesystem marks). */
    public static final long FAN_FS_ERROR = 0x8000L;
    /** Permission to open. */
    public static final long FAN_OPEN_PERM = 0x10000L;
    /** Permission to read. */
    public static final long FAN_ACCESS_PERM = 0x20000L;
    /** Permission to open for execution. */
    public static final long FAN_OPEN_EXEC_PERM = 0x40000L;
    /** Events on the children of a marked directory. */
    public static final long FAN_EVENT_ON_CHILD = 0x08000000L;
    /** Rename, with the old and new names in one event (FID mode with names, Linux 5.17). */
    public static final long FAN_RENAME = 0x10000000L;
    /** Events on directories too; in the mask of an event: its subject is a directory. */
    public static final long FAN_ONDIR = 0x40000000L;

    /** {@code fanotify_init}: close-on-exec. */
    public static final int FAN_CLOEXEC = 0x1;
    /** {@code fanotify_init}: non-blocking reads. */
    public static final int FAN_NONBLOCK = 0x2;
    /** Notification class: no permission events. */
    public static final int FAN_CLASS_NOTIF = 0x0;
    /** Content class: permission events, decided after the file's content is final. */
    public static final int FAN_CLASS_CONTENT = 0x4;
    /** Pre-content class. */
    public static final int FAN_CLASS_PRE_CONTENT = 0x8;
    /** No queue limit ({@code CAP_SYS_ADMIN}). */
    public static final int FAN_UNLIMITED_QUEUE = 0x10;
    /** No mark limit ({@code CAP_SYS_ADMIN}). */
    public static final int FAN_UNLIMITED_MARKS = 0x20;
    /** Report a pidfd of the acting process (Linux 5.15). */
    public static final int FAN_REPORT_PIDFD = 0x80;
    /** {@code pid} is the thread id. */
    public static final int FAN_REPORT_TID = 0x100;
    /** Report file ids instead of fds. */
    public static final int FAN_REPORT_FID = 0x200;
    /** Report the directory's file id. */
    public static final int FAN_REPORT_DIR_FID = 0x400;
    /** Report the entry name (with {@link #FAN_REPORT_DIR_FID}). */
    public static final int FAN_REPORT_NAME = 0x800;
    /** Directory id and name. */
    public static final int FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;
    /** Report the target's id too. */
    public static final int FAN_REPORT_TARGET_FID = 0x1000;

    /** {@code fanotify_mark}: add. */
    public static final int FAN_MARK_ADD = 0x1;
    /** {@code fanotify_mark}: remove. */
    public static final int FAN_MARK_REMOVE = 0x2;
    /** {@code fanotify_mark}: do not follow a final symbolic link. */
    public static final int FAN_MARK_DONT_FOLLOW = 0x4;
    /** {@code fanotify_mark}: only if a directory. */
    public static final int FAN_MARK_ONLYDIR = 0x8;
    /** {@code fanotify_mark}: remove every mark of the given kind. */
    public static final int FAN_MARK_FLUSH = 0x80;
    /** Mark the inode (default). */
    public static final int FAN_MARK_INODE = 0x0;
    /** Mark the mount containing the path. */
    public static final int FAN_MARK_MOUNT = 0x10;
    /** Mark the whole filesystem containing the path. */
    public static final int FAN_MARK_FILESYSTEM = 0x100;

    /** Response: allow. */
    public static final int FAN_ALLOW = 0x1;
    /** Response: deny; the access fails with {@code EPERM}. */
    public static final int FAN_DENY = 0x2;
    /** No fd in the event. */
    public static final int FAN_NOFD = -1;

    /** Info record: the object's file id. */
    public static final int INFO_TYPE_FID = 1;
    /** Info record: the directory's file id and the entry name. */
    public static final int INFO_TYPE_DFID_NAME = 2;
    /** Info record: the directory's file id. */
    public static final int INFO_TYPE_DFID = 3;
    /** Info record: a pidfd of the acting process. */
    public static final int INFO_TYPE_PIDFD = 4;
    /** Info record: a filesystem error. */
    public static final int INFO_TYPE_ERROR = 5;
    /** Info record of {@link #FAN_RENAME}: the old directory and name. */
    public static final int INFO_TYPE_OLD_DFID_NAME = 10;
    /** Info record of {@link #FAN_RENAME}: the new directory and name. */
    public static final int INFO_TYPE_NEW_DFID_NAME = 12;

    /** The metadata version this layout describes. */
    public static final int METADATA_VERSION = 3;
    /** Size of {@code struct fanotify_event_metadata}. */
    public static final int METADATA_SIZE = 24;
    /** Size of {@code struct fanotify_response}. */
    public static final int RESPONSE_SIZE = 8;

    private Fanotify() {
    }

    /**
     * {@code fanotify_init}.
     *
     * @param flags        {@code FAN_*} init flags; add {@link #FAN_NONBLOCK} and {@link #FAN_CLOEXEC}
     * @param eventFdFlags {@code open(2)} flags of the fds the kernel opens for events ({@code O_RDONLY | O_CLOEXEC | O_LARGEFILE})
     * @return the fd, or {@code -errno} ({@code -EPERM} without {@code CAP_SYS_ADMIN}, {@code -EINVAL}
     *         for a flag the kernel does not know, {@code -EMFILE} at {@code fs.fanotify.max_user_groups})
     */
    public static int init(int flags, int eventFdFlags) {
        int r = LibC.fanotify_init(flags, eventFdFlags);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code fanotify_mark} on a path. Allocates the path's bytes for the call: for setup only.
     *
     * @param fd    the fanotify fd
     * @param flags {@code FAN_MARK_*}
     * @param mask  event bits
     * @param path  absolute path
     * @return {@code 0} or {@code -errno} ({@code -ENOENT}, {@code -ENOSPC} at {@code fs.fanotify.max_user_marks},
     *         {@code -EXDEV} for a filesystem mark on a subvolume, {@code -EINVAL} for bits the kernel or the group refuses)
     */
    public static int mark(int fd, int flags, long mask, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        try (Memory p = new Memory(bytes.length + 1L)) {
            p.write(0, bytes, 0, bytes.length);
            p.setByte(bytes.length, (byte) 0);
            int r = LibC.fanotify_mark(fd, flags, mask, Io.AT_FDCWD, p);
            return r == 0 ? 0 : -Native.getLastError();
        }
    }

    /**
     * Answers a permission event: writes one {@code struct fanotify_response}. Does not close
     * the event's fd; the caller closes it after answering.
     *
     * @param fd       the fanotify fd
     * @param eventFd  the {@code fd} field of the permission event
     * @param response {@link #FAN_ALLOW} or {@link #FAN_DENY}
     * @param scratch  at least {@link #RESPONSE_SIZE} bytes, owned by the calling thread
     * @return {@code 0} or {@code -errno} ({@code -ENOENT}: no such pending event, already answered)
     */
    public static int respond(int fd, int eventFd, int response, Pointer scratch) {
        scratch.setInt(0, eventFd);
        scratch.setInt(4, response);
        long r = LibC.write(fd, scratch, RESPONSE_SIZE);
        if (r == RESPONSE_SIZE) {
            return 0;
        }
        return r < 0 ? -Native.getLastError() : -io.aem.linux.Errno.EIO;
    }
}
