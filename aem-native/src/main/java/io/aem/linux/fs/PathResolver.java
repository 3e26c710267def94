package io.aem.linux.fs;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.sys.FileHandles;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Stat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns file handles and pids into paths, with preallocated native memory and no file opened for
 * content: a handle becomes an {@code O_PATH} fd ({@code open_by_handle_at}), the fd a path
 * ({@code readlink} of {@code /proc/self/fd/N}), and the fd is closed at once: three system calls.
 * A pid's executable is one {@code readlink} of {@code /proc/<pid>/exe}. An {@code O_PATH} open
 * raises no fanotify open or permission event, so the loop can neither see its own lookups nor
 * wait for another listener's verdict. One per subscription; loop thread only.
 */
final class PathResolver implements AutoCloseable {
    private static final byte[] SELF_FD = "/proc/self/fd/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXE = "/exe".getBytes(StandardCharsets.US_ASCII);
    private static final String DELETED = " (deleted)";
    /** {@code PATH_MAX}: a link this long may be truncated. */
    private static final int LINK_MAX = 4096;

    private final Memory handleMemory = new Memory(FileHandles.HEADER_SIZE + FileHandles.MAX_HANDLE_SZ);
    private final ByteBuffer handle = view(handleMemory);
    private final Memory procMemory = new Memory(64);
    private final ByteBuffer proc = view(procMemory);
    private final Memory linkMemory = new Memory(LINK_MAX);
    private final ByteBuffer link = view(linkMemory);
    private final Memory statxMemory = new Memory(Stat.STATX_SIZE);
    private final ByteBuffer statx = view(statxMemory);
    private final Memory empty = new Memory(1);
    private final byte[] linkBytes = new byte[LINK_MAX];

    PathResolver() {
        empty.setByte(0, (byte) 0);
    }

    private static ByteBuffer view(Memory m) {
        return m.getByteBuffer(0, m.size()).order(ByteOrder.nativeOrder());
    }

    /**
     * The current path of the object a handle names.
     *
     * @param mountFd an fd on the handle's filesystem, opened for reading (not {@code O_PATH})
     * @param h       the handle
     * @return the absolute path (for an object unlinked since, the path it had, without the
     *         kernel's {@code " (deleted)"}), or {@code null} when the object no longer exists
     *         ({@code ESTALE}) or the handle does not open
     * @throws KernelException when opening fails for want of a privilege or of descriptors,
     *                         rather than because the object is gone
     */
    Path resolve(int mountFd, FileHandle h) throws KernelException {
        if (h.length() > FileHandles.MAX_HANDLE_SZ) {
            return null;
        }
        h.writeStruct(handle);
        int fd = FileHandles.openByHandle(mountFd, handleMemory, Io.O_PATH | Io.O_CLOEXEC);
        if (fd < 0) {
            int errno = -fd;
            if (errno == Errno.EPERM || errno == Errno.EACCES) {
                throw FanotifyErrors.missingCapability("CAP_DAC_READ_SEARCH",
                        "open_by_handle_at, which turns the file ids of events into paths, needs it");
            }
            if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOMEM) {
                throw Errno.exception("open_by_handle_at", errno, null);
            }
            return null;
        }
        try {
            int len = putPrefix(SELF_FD);
            len = putDecimal(len, fd);
            proc.put(len, (byte) 0);
            String s = readLink();
            if (s == null || !s.startsWith("/")) {
                return null;
            }
            if (s.endsWith(DELETED) && unlinked(fd)) {
                s = s.substring(0, s.length() - DELETED.length());
            }
            return Path.of(s);
        } catch (InvalidPathException e) {
            return null;
        } finally {
            Io.close(fd);
        }
    }

    /**
     * The executable of a process now.
     *
     * @param pid the pid; {@code <= 0} has none
     * @return the executable's path, empty when the process is gone, a zombie or a kernel thread
     */
    Optional<Path> executable(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        int len = putPrefix(PROC);
        len = putDecimal(len, pid);
        proc.put(len, EXE);
        proc.put(len + EXE.length, (byte) 0);
        String s = readLink();
        if (s == null || !s.startsWith("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(s));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** {@code readlink} of the path in {@link #proc}; {@code null} on failure or truncation. */
    private String readLink() {
        long n = FileHandles.readlink(procMemory, linkMemory, LINK_MAX);
        if (n <= 0 || n >= LINK_MAX) {
            return null;
        }
        link.get(0, linkBytes, 0, (int) n);
        return new String(linkBytes, 0, (int) n, FileNames.CHARSET);
    }

    /** Whether the object of an fd has no links left (it was deleted). */
    private boolean unlinked(int fd) {
        int r = Stat.statx(fd, empty, FileHandles.AT_EMPTY_PATH, Stat.STATX_NLINK, statxMemory);
        return r == 0 && (statx.getInt(0) & Stat.STATX_NLINK) != 0 && statx.getInt(Stat.STATX_NLINK_OFFSET) == 0;
    }

    private int putPrefix(byte[] prefix) {
        proc.put(0, prefix);
        return prefix.length;
    }

    private int putDecimal(int at, int value) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = digits - 1, v = value; i >= 0; i--, v /= 10) {
            proc.put(at + i, (byte) ('0' + v % 10));
        }
        return at + digits;
    }

    @Override
    public void close() {
        handleMemory.close();
        procMemory.close();
        linkMemory.close();
        statxMemory.close();
        empty.close();
    }
}
