package io.aem.linux.fs;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.aem.linux.sys.LibC;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * What the reader of a permission group (the event loop or the deadline keeper) learns about an event without touching any file: {@code readlink(2)}
 * of {@code /proc/self/fd/N} and {@code /proc/<pid>/exe}, and {@code statx(2)} of the event's fd
 * ({@code AT_EMPTY_PATH}: no lookup) for its file type. {@code readlink} reads the link the kernel
 * keeps for the open file or process and never opens its target; {@code statx} of an open fd reads
 * its inode; neither can block on a permission event nor cause one. Link names are built in native
 * memory without a {@code String}. Not thread-safe: one instance per reading thread (the keeper's, and each group's for its loop).
 *
 * <p>{@code statx} (glibc 2.28, Linux 4.11) is bound here rather than in {@code sys.LibC} because
 * only this class uses it; its structure has one layout on every architecture.
 */
final class ProcLinks implements AutoCloseable {
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_SIZE = 256;
    private static final int STATX_MODE_OFFSET = 28;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    static {
        Native.register(ProcLinks.class, NativeLibrary.getInstance("c"));
    }

    /** {@code int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf)}. */
    private static native int statx(int dirfd, Pointer pathname, int flags, int mask, Pointer statxbuf);

    /** The longest path the kernel writes into a {@code /proc} link ({@code PATH_MAX}). */
    private static final int PATH_MAX = 4096;
    private static final byte[] SELF_FD = "/proc/self/fd/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXE = "/exe".getBytes(StandardCharsets.US_ASCII);
    private static final Charset FILE_NAMES = fileNameCharset();

    private final Memory name = new Memory(64);
    private final Memory target = new Memory(PATH_MAX + 1L);
    private final byte[] bytes = new byte[PATH_MAX];
    private final Memory stat = new Memory(STATX_SIZE);
    private final Memory empty = new Memory(1);

    ProcLinks() {
        empty.setByte(0, (byte) 0);
    }

    /** Whether the open fd is a directory; {@code false} if the kernel cannot tell. */
    boolean isDirectory(int fd) {
        if (statx(fd, empty, AT_EMPTY_PATH, STATX_TYPE, stat) != 0) {
            return false;
        }
        return (stat.getShort(STATX_MODE_OFFSET) & S_IFMT) == S_IFDIR;
    }

    /** The target of {@code /proc/self/fd/<fd>}, or {@code null} if the kernel refuses. */
    String fd(int fd) {
        int at = put(0, SELF_FD);
        at = putNumber(at, fd);
        name.setByte(at, (byte) 0);
        return read();
    }

    /** The target of {@code /proc/<pid>/exe}, or {@code null} if the process is gone or may not be inspected. */
    String exe(int pid) {
        if (pid <= 0) {
            return null;
        }
        int at = put(0, PROC);
        at = putNumber(at, pid);
        at = put(at, EXE);
        name.setByte(at, (byte) 0);
        return read();
    }

    private String read() {
        long n = LibC.readlink(name, target, PATH_MAX);
        if (n <= 0 || n > PATH_MAX) {
            return null;
        }
        target.read(0, bytes, 0, (int) n);
        return new String(bytes, 0, (int) n, FILE_NAMES);
    }

    private int put(int at, byte[] ascii) {
        name.write(at, ascii, 0, ascii.length);
        return at + ascii.length;
    }

    private int putNumber(int at, int value) {
        int digits = 1;
        for (int v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        int v = value;
        for (int i = digits - 1; i >= 0; i--) {
            name.setByte(at + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        return at + digits;
    }

    @Override
    public void close() {
        name.close();
        target.close();
        stat.close();
        empty.close();
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
