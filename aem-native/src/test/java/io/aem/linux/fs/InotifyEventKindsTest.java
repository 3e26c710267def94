package io.aem.linux.fs;

import static io.aem.linux.fs.FileEventKind.ACCESS;
import static io.aem.linux.fs.FileEventKind.ATTRIBUTES;
import static io.aem.linux.fs.FileEventKind.CLOSE_NOWRITE;
import static io.aem.linux.fs.FileEventKind.CLOSE_WRITE;
import static io.aem.linux.fs.FileEventKind.CREATE;
import static io.aem.linux.fs.FileEventKind.DELETE;
import static io.aem.linux.fs.FileEventKind.DELETE_SELF;
import static io.aem.linux.fs.FileEventKind.MODIFY;
import static io.aem.linux.fs.FileEventKind.MOVED_IN;
import static io.aem.linux.fs.FileEventKind.MOVED_OUT;
import static io.aem.linux.fs.FileEventKind.MOVE_SELF;
import static io.aem.linux.fs.FileEventKind.OPEN;
import static io.aem.linux.fs.FileEventKind.RENAME;
import static io.aem.linux.fs.FileEventKind.UNMOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.fs.InotifyTestFilesystems.Fs;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind inotify reports, with real file operations, on ext4 and on tmpfs. */
@ExtendWith(FdLeakCheck.class)
class InotifyEventKindsTest {
    private static EventLoop loop;
    private Path base;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-kinds");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() {
        InotifyTestFilesystems.deleteRecursively(base);
    }

    /** Subscribes and waits until the source's open ran on the loop: the watches are in place. */
    private static EventLog watch(FileWatch watch) {
        EventLog log = EventLog.watch(loop, watch, Long.MAX_VALUE);
        LoopProbe.drainTasks(loop);
        return log;
    }

    private static FileEvent ev(FileEventKind kind, Path path, boolean directory) {
        return FileEvent.of(kind, path, directory);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void everyEntryKindArrivesInOrderWithItsAbsolutePathAndDirectoryFlag(Fs fs) throws Exception {
        base = fs.newDirectory("aem-kinds");
        Path root = Files.createDirectory(base.resolve("root"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("incoming"), "in");
        EventLog log = watch(FileWatch.tree(root));

        Path f = root.resolve("f");
        Path g = root.resolve("g");
        Path d = root.resolve("d");
        Path in = root.resolve("incoming");
        Files.writeString(f, "hello");
        assertThat(Files.readAllBytes(f)).hasSize(5);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectory(d);
        Files.move(f, g);
        Files.move(g, outside.resolve("g"));
        Files.move(outside.resolve("incoming"), in);
        Files.delete(in);
        Path done = Files.createFile(root.resolve("done"));
        log.awaitEvent(CREATE, done);

        assertThat(log.events()).containsSubsequence(
                ev(CREATE, f, false), ev(OPEN, f, false), ev(MODIFY, f, false), ev(CLOSE_WRITE, f, false),
                ev(OPEN, f, false), ev(ACCESS, f, false), ev(CLOSE_NOWRITE, f, false),
                ev(ATTRIBUTES, f, false),
                ev(CREATE, d, true),
                new FileEvent(RENAME, g, f, false),
                ev(MOVED_OUT, g, false),
                ev(MOVED_IN, in, false),
                ev(DELETE, in, false),
                ev(CREATE, done, false));
        assertThat(log.events()).allSatisfy(e -> {
            assertThat(e.path().isAbsolute() && e.path().startsWith(root)).as("%s is below %s", e.path(), root).isTrue();
            assertThat(e.directory()).as("directory flag of %s", e).isEqualTo(e.path().equals(d));
        });
        assertThat(log.of(CREATE)).containsExactly(ev(CREATE, f, false), ev(CREATE, d, true), ev(CREATE, done, false));
        assertThat(log.matching(FileEvent::directory)).as("the watch's own reads of the root and of d are not reported")
                .containsExactly(ev(CREATE, d, true));
        assertThat(log.deliveryThread()).isSameAs(loop.thread());
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void theWatchsOwnDirectoryReadsAreNotReportedButAnotherProcesssReadsAre(Fs fs) throws Exception {
        base = fs.newDirectory("aem-own-reads");
        Files.createDirectories(base.resolve("a/b"));
        Files.createDirectories(base.resolve("c"));
        EventLog log = watch(FileWatch.tree(base).withKinds(OPEN, ACCESS, CLOSE_NOWRITE, CREATE).withExistingListed(true));
        log.awaitEvent(e -> e.kind() == FileEventKind.LISTING_DONE);
        Files.createDirectories(base.resolve("n/m")); // scanned by the watch when reported
        InotifyTestFilesystems.sh(base, "ls a > /dev/null && ls . > /dev/null");
        Path done = Files.createFile(base.resolve("done"));
        log.awaitEvent(CREATE, done);

        List<FileEvent> reads = log.matching(e -> e.directory() && List.of(OPEN, ACCESS, CLOSE_NOWRITE).contains(e.kind()));
        Path a = base.resolve("a");
        assertThat(reads).containsSubsequence(ev(OPEN, a, true), ev(ACCESS, a, true), ev(CLOSE_NOWRITE, a, true),
                ev(OPEN, base, true), ev(ACCESS, base, true), ev(CLOSE_NOWRITE, base, true));
        assertThat(reads).extracting(FileEvent::path).containsOnly(a, base);
        assertThat(reads).filteredOn(e -> e.kind() == OPEN).hasSize(2);
        log.cancel();
    }

    @Test
    void withAccessAloneChosenOwnReadsAreStillLeftOut() throws Exception {
        base = InotifyTestFilesystems.tmpfs().newDirectory("aem-own-access");
        Path a = Files.createDirectories(base.resolve("a"));
        EventLog log = watch(FileWatch.tree(base).withKinds(ACCESS));
        Files.createDirectories(base.resolve("n/m")); // watched and read by the source, silently
        InotifyTestFilesystems.sh(base, "ls a > /dev/null");
        Files.writeString(base.resolve("marker"), "x");
        InotifyTestFilesystems.sh(base, "cat marker > /dev/null");
        log.awaitEvent(FileEvent.of(ACCESS, base.resolve("marker"), false)::equals);
        assertThat(log.events()).isNotEmpty().allSatisfy(e -> assertThat(e.kind()).isEqualTo(ACCESS))
                .extracting(FileEvent::path).containsOnly(a, base.resolve("marker"));
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void onlyTheChosenKindsAreReported(Fs fs) throws Exception {
        base = fs.newDirectory("aem-chosen");
        EventLog log = watch(FileWatch.directory(base).withKinds(CLOSE_WRITE, DELETE));
        Path f = base.resolve("f");
        Files.writeString(f, "x");
        Files.readAllBytes(f);
        Files.move(f, base.resolve("f2"));
        Files.delete(base.resolve("f2"));
        log.awaitEvent(DELETE, base.resolve("f2"));
        assertThat(log.events()).containsExactly(ev(CLOSE_WRITE, f, false), ev(DELETE, base.resolve("f2"), false));
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aDeletedRootGivesDeleteSelfAndTheStreamCompletes(Fs fs) throws Exception {
        base = fs.newDirectory("aem-delete-self");
        Path root = Files.createDirectories(base.resolve("root/sub"));
        Files.writeString(root.resolve("f"), "x");
        root = root.getParent();
        EventLog log = watch(FileWatch.tree(root).withKinds(DELETE, DELETE_SELF));
        InotifyTestFilesystems.deleteRecursively(root);
        assertThat(log.awaitEnd()).isNull();
        assertThat(log.events()).containsExactly(ev(DELETE, root.resolve("sub/f"), false),
                ev(DELETE, root.resolve("sub"), true), ev(DELETE_SELF, root, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aMovedRootGivesMoveSelfWithTheWatchedPathAndTheStreamCompletes(Fs fs) throws Exception {
        base = fs.newDirectory("aem-move-self");
        Path root = Files.createDirectory(base.resolve("root"));
        EventLog log = watch(FileWatch.directory(root));
        Files.move(root, base.resolve("elsewhere"));
        Files.createFile(base.resolve("elsewhere/after"));
        assertThat(log.awaitEnd()).isNull();
        assertThat(log.events()).containsExactly(ev(MOVE_SELF, root, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aSingleFileReportsItsOwnEventsUnderItsPathUntilItIsDeleted(Fs fs) throws Exception {
        base = fs.newDirectory("aem-file");
        Path f = Files.writeString(base.resolve("f"), "x");
        Files.writeString(base.resolve("sibling"), "y");
        EventLog log = watch(FileWatch.file(f));
        Files.writeString(f, "more");
        Files.writeString(base.resolve("sibling"), "not reported");
        Files.delete(f);
        assertThat(log.awaitEnd()).isNull();
        assertThat(log.events()).containsSubsequence(ev(OPEN, f, false), ev(MODIFY, f, false),
                ev(CLOSE_WRITE, f, false), ev(ATTRIBUTES, f, false), ev(DELETE_SELF, f, false));
        assertThat(log.events()).allSatisfy(e -> assertThat(e.path()).isEqualTo(f));
    }

    @Test
    void anUnmountedRootGivesUnmountAndTheStreamCompletes() throws Exception {
        base = InotifyTestFilesystems.ext4().newDirectory("aem-unmount");
        Path mnt = Files.createDirectory(base.resolve("mnt"));
        InotifyTestFilesystems.mountTmpfs(mnt);
        try {
            Files.createDirectory(mnt.resolve("sub"));
            EventLog log = watch(FileWatch.tree(mnt).withKinds(UNMOUNT, CREATE));
            Files.createFile(mnt.resolve("sub/x"));
            log.awaitEvent(CREATE, mnt.resolve("sub/x"));
            InotifyTestFilesystems.unmount(mnt);
            assertThat(log.awaitEnd()).isNull();
            assertThat(log.of(UNMOUNT)).contains(ev(UNMOUNT, mnt, true));
        } finally {
            if ("tmpfs".equals(InotifyTestFilesystems.fsType(mnt))) {
                InotifyTestFilesystems.unmount(mnt);
            }
        }
    }

    @Test
    void aFileSystemUnmountedInsideATreeGivesUnmountAndTheTreeIsStillWatched() throws Exception {
        base = InotifyTestFilesystems.ext4().newDirectory("aem-unmount-inside");
        Path mnt = Files.createDirectory(base.resolve("mnt"));
        Files.createFile(mnt.resolve("hidden-by-the-mount"));
        InotifyTestFilesystems.mountTmpfs(mnt);
        try {
            Files.createDirectory(mnt.resolve("sub"));
            EventLog log = watch(FileWatch.tree(base).withKinds(UNMOUNT, CREATE));
            InotifyTestFilesystems.unmount(mnt);
            log.awaitEvent(UNMOUNT, mnt);
            log.awaitEvent(UNMOUNT, mnt.resolve("sub"));
            Path after = Files.createFile(mnt.resolve("after"));
            log.awaitEvent(CREATE, after);
            assertThat(log.done).isNotDone();
            assertThat(log.events()).containsExactlyInAnyOrder(ev(UNMOUNT, mnt, true), ev(UNMOUNT, mnt.resolve("sub"), true),
                    ev(CREATE, after, false));
            log.cancel();
        } finally {
            if ("tmpfs".equals(InotifyTestFilesystems.fsType(mnt))) {
                InotifyTestFilesystems.unmount(mnt);
            }
        }
    }

    @Test
    void theFileSystemsAreWhatTheTestsSay() {
        assertThat(InotifyTestFilesystems.fsType(InotifyTestFilesystems.ext4().base())).isEqualTo("ext4");
        assertThat(InotifyTestFilesystems.fsType(InotifyTestFilesystems.tmpfs().base())).isEqualTo("tmpfs");
        assertThat(List.of(InotifyTestFilesystems.ext4().type(), InotifyTestFilesystems.tmpfs().type())).containsExactly("ext4", "tmpfs");
    }
}
