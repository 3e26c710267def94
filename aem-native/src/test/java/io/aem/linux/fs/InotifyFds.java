package io.aem.linux.fs;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.aem.linux.testing.OpenFds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the kernel says about an inotify fd of this process: the watches it holds (from
 * {@code /proc/self/fdinfo}) and the bytes of events queued and not read yet ({@code FIONREAD}).
 * Read-only looks at an fd the loop owns, for tests.
 */
final class InotifyFds {
    private static final long FIONREAD = 0x541B;

    static {
        Native.register(InotifyFds.class, NativeLibrary.getInstance("c"));
    }

    private InotifyFds() {
    }

    private static native int ioctl(int fd, long request, Pointer arg);

    /** The inotify fds opened since the snapshot. */
    static List<Integer> openedSince(Map<Integer, String> before) {
        return OpenFds.openedSince(before).entrySet().stream().filter(e -> e.getValue().equals("anon_inode:inotify"))
                .map(Map.Entry::getKey).collect(Collectors.toList());
    }

    /**
     * The one inotify fd opened since the snapshot. A watch of an earlier test may still be
     * closing on its loop, and the new fd may reuse its number (then the snapshot cannot tell
     * them apart): so this waits, up to 5 s, until the new fd is the only inotify fd open.
     */
    static int theOneOpenedSince(Map<Integer, String> before) {
        int[] found = {-1};
        org.awaitility.Awaitility.await("one new inotify fd, and no other open")
                .atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(5))
                .until(() -> {
                    List<Integer> fresh = openedSince(before);
                    List<Integer> all = OpenFds.snapshot().entrySet().stream()
                            .filter(e -> e.getValue().equals("anon_inode:inotify")).map(Map.Entry::getKey)
                            .collect(Collectors.toList());
                    if (all.size() == 1 && (fresh.isEmpty() || fresh.equals(all))) {
                        found[0] = all.get(0);
                        return true;
                    }
                    return false;
                });
        return found[0];
    }

    /** The watches the inotify instance holds, one {@code inotify wd:...} line each in its fdinfo. */
    static int watchCount(int fd) {
        try {
            return (int) Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .filter(l -> l.startsWith("inotify wd:")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of events queued in the kernel and not read yet. */
    static int queuedBytes(int fd) {
        try (Memory n = new Memory(4)) {
            if (ioctl(fd, FIONREAD, n) != 0) {
                throw new IllegalStateException("ioctl(FIONREAD) on fd " + fd + " failed: errno " + Native.getLastError());
            }
            return n.getInt(0);
        }
    }
}
