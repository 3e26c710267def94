package io.aem.spring.actuate;

import io.aem.linux.sys.Limits;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What this process holds of the kernel resources AEM uses, against their limits, read from
 * {@code /proc}: open fds against {@code RLIMIT_NOFILE}, inotify watches (the {@code inotify wd:}
 * lines of the inotify fds' {@code fdinfo}) against {@code fs.inotify.max_user_watches}, and
 * fanotify marks ({@code fanotify ino:} lines) against {@code fs.fanotify.max_user_marks}.
 *
 * <p>The kernel limits on watches and marks are per user, across processes; the counts here are
 * this process's share.
 *
 * @param openFds         fds open now (the one used to list them not counted)
 * @param openFdsLimit    the soft {@code RLIMIT_NOFILE}, or {@code -1} when unlimited or unreadable
 * @param inotifyWatches  inotify watches held by this process
 * @param inotifyWatchesLimit {@code fs.inotify.max_user_watches}, or {@code -1} when unreadable
 * @param fanotifyMarks   fanotify marks held by this process
 * @param fanotifyMarksLimit {@code fs.fanotify.max_user_marks}, or {@code -1} when the kernel has no such file
 */
record KernelResources(long openFds, long openFdsLimit, long inotifyWatches, long inotifyWatchesLimit,
        long fanotifyMarks, long fanotifyMarksLimit) {

    private static final Path FD_DIR = Path.of("/proc/self/fd");
    private static final Path FDINFO_DIR = Path.of("/proc/self/fdinfo");

    /**
     * Reads the counts and limits now. Blocks the calling thread for the reads of {@code /proc}:
     * a directory listing of the fds, a {@code readlink} per fd, and one {@code fdinfo} read per
     * inotify or fanotify fd; about a microsecond per fd. An fd closed during the reading is
     * skipped.
     *
     * @return the snapshot (the counts are not atomic with each other)
     * @throws IOException if {@code /proc/self/fd} cannot be listed
     */
    static KernelResources read() throws IOException {
        long fds = 0;
        long watches = 0;
        long marks = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR)) {
            for (Path entry : entries) {
                fds++;
                String target = linkTarget(entry);
                if (target == null) {
                    continue;
                }
                if (target.equals("anon_inode:inotify")) {
                    watches += countLines(FDINFO_DIR.resolve(entry.getFileName()), "inotify wd:");
                } else if (target.equals("anon_inode:[fanotify]")) {
                    marks += countLines(FDINFO_DIR.resolve(entry.getFileName()), "fanotify ino:");
                }
            }
        }
        long[] nofile = Limits.rlimit(Limits.RLIMIT_NOFILE);
        long fdLimit = nofile == null ? -1 : nofile[0];
        return new KernelResources(Math.max(0, fds - 1), fdLimit, watches,
                sysctl("/proc/sys/fs/inotify/max_user_watches"), marks,
                sysctl("/proc/sys/fs/fanotify/max_user_marks"));
    }

    private static @Nullable String linkTarget(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static long countLines(Path fdinfo, String prefix) {
        long n = 0;
        try (BufferedReader reader = Files.newBufferedReader(fdinfo, StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith(prefix)) {
                    n++;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return n;
    }

    private static long sysctl(String path) {
        try {
            return Long.parseLong(Limits.readProc(path));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
