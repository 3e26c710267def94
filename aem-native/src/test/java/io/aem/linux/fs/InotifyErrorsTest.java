package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.Errno;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.ThreadCapabilities;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kernel refusals become typed errors naming the cause and the remedy, delivered as
 * {@code onError} before any event, with the inotify fd closed.
 */
@ExtendWith(FdLeakCheck.class)
class InotifyErrorsTest {
    private static final int CAP_DAC_OVERRIDE = 1;
    private static final int CAP_DAC_READ_SEARCH = 2;

    private static EventLoop loop;
    private Path root;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-errors");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() throws IOException {
        if (root != null && Files.exists(root)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                for (Path p : entries) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                }
            }
        }
        InotifyTestFilesystems.deleteRecursively(root);
    }

    /** Subscribes and returns the error the stream ended with, checking nothing came before it and no inotify fd is left. */
    private static Throwable failureOf(EventLoop on, FileWatch watch) {
        Map<Integer, String> before = OpenFds.snapshot();
        EventLog log = EventLog.watch(on, watch, Long.MAX_VALUE);
        Throwable error = log.awaitEnd();
        assertThat(log.events()).as("no event before the error").isEmpty();
        LoopProbe.drainTasks(on);
        assertThat(OpenFds.countAnonSince(before, "inotify")).as("the inotify fd is closed").isZero();
        return error;
    }

    @Test
    void aMissingPathIsNoSuchFileWithTheRemedyForEveryScope() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-missing");
        Path missing = root.resolve("missing");
        for (FileWatch watch : new FileWatch[] {FileWatch.file(missing), FileWatch.directory(missing), FileWatch.tree(missing)}) {
            assertThat(failureOf(loop, watch)).as(watch.toString()).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining(missing.toString()).hasMessageContaining("create it first");
        }
    }

    @Test
    void aFileWatchedAsADirectoryOrTreeIsNotADirectoryWithTheRemedy() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-not-dir");
        Path file = Files.writeString(root.resolve("file"), "x");
        for (FileWatch watch : new FileWatch[] {FileWatch.directory(file), FileWatch.tree(file)}) {
            assertThat(failureOf(loop, watch)).isInstanceOf(NotDirectoryException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("FileWatch.file(path)");
        }
        assertThat(failureOf(loop, FileWatch.file(file.resolve("below")))).hasMessageContaining("not a directory");
    }

    @Test
    void withoutPermissionTheErrorIsAccessDeniedForTheRootAndForASubdirectoryOfATree() throws Exception {
        root = InotifyTestFilesystems.ext4().newDirectory("aem-denied");
        Path locked = Files.createDirectory(root.resolve("locked"));
        Path tree = Files.createDirectories(root.resolve("tree/ok"));
        Path lockedInside = Files.createDirectory(root.resolve("tree/locked-inside"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(lockedInside, PosixFilePermissions.fromString("---------"));
        tree = tree.getParent();
        // Root passes every permission check through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; a loop
        // whose thread dropped both sees what an ordinary user would.
        ThreadFactory withoutDac = r -> {
            Thread t = new Thread(() -> {
                ThreadCapabilities.drop(CAP_DAC_OVERRIDE);
                ThreadCapabilities.drop(CAP_DAC_READ_SEARCH);
                r.run();
            }, "inotify-no-dac");
            t.setDaemon(true);
            return t;
        };
        try (EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("inotify-no-dac")
                .withThreadFactory(withoutDac))) {
            assertThat(failureOf(unprivileged, FileWatch.directory(locked))).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining(locked.toString()).hasMessageContaining("read permission");
            assertThat(failureOf(unprivileged, FileWatch.tree(tree))).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining(lockedInside.toString()).hasMessageContaining("subdirectory of the watched tree");
        }
    }

    @Test
    void runningOutOfWatchesNamesMaxUserWatchesWithItsValueAndTheRemedy() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-enospc");
        for (int i = 0; i < 20; i++) {
            Files.createDirectory(root.resolve("d" + i));
        }
        String saved = Limits.readProc(InotifyErrors.MAX_USER_WATCHES);
        long lowered = KernelInotifyUse.watches() + 2;
        Throwable error;
        try {
            writeSysctl(InotifyErrors.MAX_USER_WATCHES, Long.toString(lowered));
            error = failureOf(loop, FileWatch.tree(root));
        } finally {
            writeSysctl(InotifyErrors.MAX_USER_WATCHES, saved);
        }
        assertThat(Limits.readProc(InotifyErrors.MAX_USER_WATCHES)).isEqualTo(saved);
        assertThat(error).isInstanceOf(ResourceLimitException.class)
                .hasMessageContaining("fs.inotify.max_user_watches").hasMessageContaining("sysctl");
        ResourceLimitException limit = (ResourceLimitException) error;
        assertThat(limit.limit()).isEqualTo("fs.inotify.max_user_watches");
        assertThat(limit.currentValue()).isEqualTo(Long.toString(lowered));
        assertThat(limit.errno()).isEqualTo(Errno.ENOSPC);
    }

    @Test
    void runningOutOfInstancesNamesMaxUserInstancesWithItsValueAndNotTheFdLimit() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-emfile");
        String saved = Limits.readProc(InotifyErrors.MAX_USER_INSTANCES);
        long lowered = KernelInotifyUse.instances();
        Throwable error;
        try {
            writeSysctl(InotifyErrors.MAX_USER_INSTANCES, Long.toString(lowered));
            error = failureOf(loop, FileWatch.directory(root));
        } finally {
            writeSysctl(InotifyErrors.MAX_USER_INSTANCES, saved);
        }
        assertThat(Limits.readProc(InotifyErrors.MAX_USER_INSTANCES)).isEqualTo(saved);
        assertThat(error).isInstanceOf(ResourceLimitException.class)
                .hasMessageContaining("fs.inotify.max_user_instances").hasMessageContaining("sysctl")
                .hasMessageContaining("descriptor limit is not the cause");
        ResourceLimitException limit = (ResourceLimitException) error;
        assertThat(limit.currentValue()).isEqualTo(Long.toString(lowered));
        assertThat(limit.errno()).isEqualTo(Errno.EMFILE);
    }

    private static void writeSysctl(String path, String value) throws IOException {
        Files.write(Path.of(path), (value + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** What every process of this machine holds of inotify now, counted as the per-user limits count it. */
    private static final class KernelInotifyUse {
        /** inotify instances open in all processes. */
        static long instances() throws IOException {
            long n = 0;
            for (Path fd : allFds("fd")) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
            return n;
        }

        /** Watches held by all inotify instances, one {@code inotify wd:} line each in their fdinfo. */
        static long watches() throws IOException {
            long n = 0;
            for (Path info : allFds("fdinfo")) {
                try {
                    n += Files.readAllLines(info).stream().filter(l -> l.startsWith("inotify wd:")).count();
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
            return n;
        }

        private static java.util.List<Path> allFds(String dir) throws IOException {
            java.util.List<Path> all = new java.util.ArrayList<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path proc : procs) {
                    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(dir))) {
                        fds.forEach(all::add);
                    } catch (IOException gone) {
                        // the process ended
                    }
                }
            }
            return all;
        }
    }
}
