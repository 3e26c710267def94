package io.aem.linux.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The open file descriptors of this process, read from {@code /proc/self/fd}, with what each
 * points to (for readable failure messages).
 */
public final class OpenFds {
    private OpenFds() {
    }

    /** fd number to link target ({@code anon_inode:[eventfd]}, {@code pipe:[123]}, a path...). */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            entries.forEach(p -> {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException | NumberFormatException e) {
                    // the fd used to list the directory itself is gone by now
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    /**
     * How many fds opened since {@code before} point to an anonymous inode of this kind: the
     * count a test owns, whatever other fds of this kind open or close meanwhile.
     *
     * @param before an earlier {@link #snapshot()}
     * @param kind   for example {@code "eventfd"}
     * @return the count
     */
    public static long countAnonSince(Map<Integer, String> before, String kind) {
        return openedSince(before).values().stream()
                .filter(t -> t.equals("anon_inode:[" + kind + "]") || t.equals("anon_inode:" + kind))
                .count();
    }

    /**
     * The fds open now that were not open (or pointed elsewhere) in {@code before}, leaving out
     * files the JVM and its libraries open lazily and keep.
     *
     * @param before an earlier {@link #snapshot()}
     * @return fd number to link target
     */
    public static Map<Integer, String> openedSince(Map<Integer, String> before) {
        Map<Integer, String> extra = new TreeMap<>();
        snapshot().forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !isJvmInternal(target)) {
                extra.put(fd, target);
            }
        });
        return extra;
    }

    /**
     * Waits until every fd opened since {@code before} is closed again, polling every 20 ms
     * (closes happen on event-loop threads), and fails with the list of what is still open.
     *
     * @param before  an earlier {@link #snapshot()}
     * @param owner   what should have closed them, for the message
     * @param timeout how long to wait
     * @throws AssertionError if fds are still open after the timeout
     */
    public static void awaitClosedSince(Map<Integer, String> before, String owner, Duration timeout) {
        try {
            Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(timeout)
                    .pollInSameThread().until(() -> openedSince(before).isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("file descriptors left open by " + owner + " (still open after "
                    + timeout.toMillis() + " ms): " + openedSince(before));
        }
    }

    /**
     * Files the JVM and its libraries open lazily and keep (jars, class data, native libraries,
     * libffi's trampoline file), and the directory being listed: not ours to close.
     */
    private static boolean isJvmInternal(String target) {
        return target.endsWith(".jar") || target.endsWith(".jsa") || target.endsWith(".so") || target.endsWith("/modules")
                || target.contains("/jna") || target.matches("/tmp/ffi\\w+ \\(deleted\\)") || target.matches("/proc/\\d+/fd");
    }
}
