package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The file systems the inotify tests run on: ext4 (a directory under {@code /tmp}, or under the
 * build directory when {@code /tmp} is not ext4) and tmpfs ({@code /dev/shm}, or one mounted for
 * the tests), checked in {@code /proc/self/mountinfo}; plus mounting and unmounting (root only),
 * shell commands and recursive deletion.
 */
final class InotifyTestFilesystems {
    /** A file system to test on: its type and a directory on it where test directories go. */
    record Fs(String type, Path base) {
        /** A new empty directory on this file system. */
        Path newDirectory(String prefix) {
            try {
                return Files.createTempDirectory(base, prefix);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private InotifyTestFilesystems() {
    }

    /** ext4 and tmpfs, named for parameterized tests. */
    static Stream<Named<Fs>> both() {
        return Stream.of(Named.of("ext4", ext4()), Named.of("tmpfs", tmpfs()));
    }

    /** A directory on ext4. */
    static Fs ext4() {
        for (Path candidate : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/tmp"),
                Path.of("target").toAbsolutePath())) {
            if (Files.isDirectory(candidate) && "ext4".equals(fsType(candidate))) {
                return new Fs("ext4", candidate);
            }
        }
        throw new IllegalStateException("no ext4 directory found for the tests (tried java.io.tmpdir, /tmp, target/)");
    }

    /**
     * A directory on tmpfs: {@code /dev/shm} when it is one; otherwise a tmpfs mounted (as root) on
     * a temporary directory once for this JVM, unmounted and removed when the JVM exits.
     */
    static synchronized Fs tmpfs() {
        Path shm = Path.of("/dev/shm");
        if ("tmpfs".equals(fsType(shm))) {
            return new Fs("tmpfs", shm);
        }
        if (ownTmpfs == null) {
            try {
                Path dir = Files.createTempDirectory("aem-tmpfs");
                run("mount", "-t", "tmpfs", "-o", "size=64m", "aem-inotify-test", dir.toString());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    unmount(dir);
                    deleteRecursively(dir);
                }));
                ownTmpfs = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(fsType(ownTmpfs)).isEqualTo("tmpfs");
        return new Fs("tmpfs", ownTmpfs);
    }

    private static Path ownTmpfs;

    /** The type of the file system holding {@code path}, from {@code /proc/self/mountinfo} (the longest mount point above it). */
    static String fsType(Path path) {
        try {
            Path real = path.toRealPath();
            String best = null;
            int bestLength = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                String mountPoint = unescape(f[4]);
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || dash + 1 >= f.length) {
                    continue;
                }
                if (isAtOrBelow(real, Path.of(mountPoint)) && mountPoint.length() >= bestLength) {
                    best = f[dash + 1];
                    bestLength = mountPoint.length();
                }
            }
            return best;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isAtOrBelow(Path path, Path mountPoint) {
        return path.startsWith(mountPoint);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Mounts a 1 MiB tmpfs on {@code dir} (needs root) and checks that it is there. */
    static void mountTmpfs(Path dir) {
        run("mount", "-t", "tmpfs", "-o", "size=1m", "aem-inotify-test", dir.toString());
        assertThat(fsType(dir)).isEqualTo("tmpfs");
    }

    /** Bind-mounts {@code source} on {@code target} (needs root). */
    static void bindMount(Path source, Path target) {
        run("mount", "--bind", source.toString(), target.toString());
    }

    /** Unmounts {@code dir}. */
    static void unmount(Path dir) {
        run("umount", dir.toString());
    }

    /** Runs a shell command line with {@code sh -c} in {@code dir}, failing on a non-zero exit. */
    static void sh(Path dir, String command) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("sh -c '" + command + "' failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a directory and everything below it, if it exists; does not cross into mounts left behind. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
