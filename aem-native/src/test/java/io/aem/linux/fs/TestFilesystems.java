package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.testing.OpenFds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test directories on chosen filesystems, tmpfs mounts of a test's own, and what mountinfo says about them. */
final class TestFilesystems {
    /** ext4 here: the root filesystem. */
    static final Path EXT4_BASE = Path.of("/tmp");
    /** tmpfs here. */
    static final Path TMPFS_BASE = Path.of("/dev/shm");

    private TestFilesystems() {
    }

    /** The filesystem type of the mount holding a path, from {@code /proc/self/mountinfo}. */
    static String typeOf(Path path) {
        try {
            Path real = path.toRealPath();
            String best = null;
            String type = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (real.startsWith(f[4]) && (best == null || f[4].length() >= best.length())) {
                    best = f[4];
                    type = f[dash + 1];
                }
            }
            return type;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty directory under {@code base}, checked to be on a filesystem of the given type. */
    static Path newDirectory(Path base, String expectedType) throws IOException {
        Path dir = Files.createTempDirectory(base, "aem-fanotify-").toRealPath();
        assertThat(typeOf(dir)).as("filesystem of %s", dir).isEqualTo(expectedType);
        return dir;
    }

    /** Deletes a tree; no-op for {@code null} or a missing path. */
    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A tmpfs mounted for one test on a directory of its own, so that mount and filesystem
     * marks see only the test's events. {@link #close()} unmounts it after every fd on it is
     * closed (a mount fd of a stream keeps it busy) and removes the directory.
     */
    static final class TmpfsMount implements AutoCloseable {
        private final Path parent;
        private final Path root;
        private final Map<Integer, String> fdsBefore;

        TmpfsMount() throws IOException, InterruptedException {
            fdsBefore = OpenFds.snapshot();
            parent = Files.createTempDirectory(EXT4_BASE, "aem-fanotify-mnt-").toRealPath();
            root = parent.resolve("mnt");
            Files.createDirectory(root);
            run("mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "aem-fanotify-test", root.toString());
            assertThat(typeOf(root)).isEqualTo("tmpfs");
        }

        /** The mount point. */
        Path root() {
            return root;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            OpenFds.awaitClosedSince(fdsBefore, "the streams on " + root, Duration.ofSeconds(10));
            if (run("umount", root.toString()) != 0) {
                run("umount", "-l", root.toString());
            }
            deleteTree(parent);
        }

        private static int run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 10 s");
            }
            if (p.exitValue() != 0 && command[0].equals("mount")) {
                throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue());
            }
            return p.exitValue();
        }
    }
}
