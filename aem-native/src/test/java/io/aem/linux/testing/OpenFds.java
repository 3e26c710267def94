package io.aem.linux.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

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

    /** How many fds point to an anonymous inode of this kind, e.g. {@code "eventfd"}, {@code "timerfd"}. */
    public static long countAnon(String kind) {
        return snapshot().values().stream().filter(t -> t.equals("anon_inode:[" + kind + "]")).count();
    }
}
