package io.aem.linux.fs;

import static io.aem.linux.fs.FileEventKind.ATTRIBUTES;
import static io.aem.linux.fs.FileEventKind.CLOSE_WRITE;
import static io.aem.linux.fs.FileEventKind.CREATE;
import static io.aem.linux.fs.FileEventKind.DELETE;
import static io.aem.linux.fs.FileEventKind.DELETE_SELF;
import static io.aem.linux.fs.FileEventKind.LISTING_DONE;
import static io.aem.linux.fs.FileEventKind.MODIFY;
import static io.aem.linux.fs.FileEventKind.MOVE_SELF;
import static io.aem.linux.fs.FileEventKind.MOVED_IN;
import static io.aem.linux.fs.FileEventKind.MOVED_OUT;
import static io.aem.linux.fs.FileEventKind.RENAME;
import static io.aem.linux.fs.FileEventKind.UNMOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.fs.InotifyTestFilesystems.Fs;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Recursive watching: new directories without races or duplicates, renames, moves out and in. */
@ExtendWith(FdLeakCheck.class)
class InotifyTreeTest {
    private static EventLoop loop;
    private Path base;
    private Path root;
    private Path outside;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-tree");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() {
        InotifyTestFilesystems.deleteRecursively(base);
    }

    private void makeDirectories(Fs fs) throws Exception {
        base = fs.newDirectory("aem-tree");
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
    }

    /** Subscribes and waits until the source's open ran on the loop: the watches are in place. */
    private static EventLog watch(FileWatch watch) {
        EventLog log = EventLog.watch(loop, watch, Long.MAX_VALUE);
        LoopProbe.drainTasks(loop);
        return log;
    }

    /** Creates a marker file in the root and waits for it: every event queued before has been delivered. */
    private void sync(EventLog log, String marker) throws Exception {
        log.awaitEvent(CREATE, Files.createFile(root.resolve(marker)));
    }

    private static FileEvent ev(FileEventKind kind, Path path, boolean directory) {
        return FileEvent.of(kind, path, directory);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void mkdirDashPThenTouchGivesExactlyOneCreatePerPathInEachOf50Rounds(Fs fs) throws Exception {
        makeDirectories(fs);
        EventLog log = watch(FileWatch.tree(root));
        List<FileEvent> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            InotifyTestFilesystems.sh(root, "mkdir -p r" + i + "/a/b/c/d && touch r" + i + "/a/b/c/d/f");
            Path r = root.resolve("r" + i);
            for (String p : new String[] {"", "a", "a/b", "a/b/c", "a/b/c/d"}) {
                expected.add(ev(CREATE, p.isEmpty() ? r : r.resolve(p), true));
            }
            expected.add(ev(CREATE, r.resolve("a/b/c/d/f"), false));
        }
        sync(log, "done");
        expected.add(ev(CREATE, root.resolve("done"), false));
        assertThat(log.of(CREATE)).containsExactlyInAnyOrderElementsOf(expected);
        // every directory of every round is watched: the root, 5 per round
        Path late = Files.createFile(root.resolve("r49/a/b/c/d/late"));
        log.awaitEvent(CREATE, late);
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aDirectoryThatVanishesBeforeItIsWatchedIsSkippedAndTheStreamGoesOn(Fs fs) throws Exception {
        makeDirectories(fs);
        EventLog log = watch(FileWatch.tree(root).withKinds(CREATE, DELETE));
        InotifyTestFilesystems.sh(root, "for i in $(seq 1 30); do mkdir -p v$i/w/x && rm -r v$i; done");
        sync(log, "done");
        assertThat(log.done).isNotDone();
        assertThat(log.matching(e -> e.kind() == CREATE && e.path().getFileName().toString().startsWith("v")))
                .hasSize(30);
        assertThat(log.matching(e -> e.kind() == DELETE && e.path().getParent().equals(root))).hasSize(30);
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aFileRenamedWithinTheTreeIsOneRenameEventWithBothPaths(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.createDirectories(root.resolve("x/y"));
        Files.writeString(root.resolve("f"), "x");
        EventLog log = watch(FileWatch.tree(root).withKinds(RENAME, MOVED_IN, MOVED_OUT, CREATE));
        Files.move(root.resolve("f"), root.resolve("g"));
        Files.move(root.resolve("g"), root.resolve("x/y/h"));
        sync(log, "done");
        assertThat(log.events()).containsExactly(new FileEvent(RENAME, root.resolve("g"), root.resolve("f"), false),
                new FileEvent(RENAME, root.resolve("x/y/h"), root.resolve("g"), false), ev(CREATE, root.resolve("done"), false));
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aDirectoryRenamedWithinTheTreeKeepsItsWatchesAndLaterEventsInsideCarryTheNewPath(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.createDirectories(root.resolve("a/sub/deep"));
        Files.createDirectory(root.resolve("c"));
        Map<Integer, String> before = OpenFds.snapshot();
        EventLog log = watch(FileWatch.tree(root).withKinds(RENAME, MOVED_IN, MOVED_OUT, CREATE));
        int fd = InotifyFds.theOneOpenedSince(before);
        assertThat(InotifyFds.watchCount(fd)).isEqualTo(5);

        Files.move(root.resolve("a"), root.resolve("b"));
        Files.createFile(root.resolve("b/x"));
        Files.createFile(root.resolve("b/sub/deep/y"));
        Files.move(root.resolve("b/sub"), root.resolve("c/sub2"));
        Files.createFile(root.resolve("c/sub2/deep/z"));
        sync(log, "done");

        assertThat(log.events()).containsExactly(
                new FileEvent(RENAME, root.resolve("b"), root.resolve("a"), true),
                ev(CREATE, root.resolve("b/x"), false),
                ev(CREATE, root.resolve("b/sub/deep/y"), false),
                new FileEvent(RENAME, root.resolve("c/sub2"), root.resolve("b/sub"), true),
                ev(CREATE, root.resolve("c/sub2/deep/z"), false),
                ev(CREATE, root.resolve("done"), false));
        assertThat(InotifyFds.watchCount(fd)).as("renames keep the same watches").isEqualTo(5);
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aDirectoryMovedOutIsReportedOnceAndNothingInsideItIsReportedAfterwards(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.createDirectories(root.resolve("a/sub"));
        Map<Integer, String> before = OpenFds.snapshot();
        // every kind but the three that the walk's own reads of the directories would add
        EventLog log = watch(FileWatch.tree(root).withKinds(CREATE, DELETE, MODIFY, ATTRIBUTES, CLOSE_WRITE, RENAME,
                MOVED_IN, MOVED_OUT, DELETE_SELF, MOVE_SELF, UNMOUNT));
        int fd = InotifyFds.theOneOpenedSince(before);
        assertThat(InotifyFds.watchCount(fd)).isEqualTo(3);

        Files.move(root.resolve("a"), outside.resolve("a"));
        log.awaitEvent(MOVED_OUT, root.resolve("a"));
        Files.createFile(outside.resolve("a/x"));
        Files.createFile(outside.resolve("a/sub/y"));
        Files.delete(outside.resolve("a/sub/y"));
        sync(log, "done");

        assertThat(log.matching(e -> !e.path().startsWith(root) || e.path().startsWith(root.resolve("a"))))
                .containsExactly(ev(MOVED_OUT, root.resolve("a"), true));
        assertThat(InotifyFds.watchCount(fd)).as("the moved-out subtree's watches are removed").isEqualTo(1);
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aDirectoryMovedInIsReportedWithItsEntriesAsCreateAndIsWatched(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.createDirectories(outside.resolve("m/n"));
        Files.createFile(outside.resolve("m/n/z"));
        Files.writeString(outside.resolve("file"), "x");
        EventLog log = watch(FileWatch.tree(root).withKinds(CREATE, MOVED_IN, MOVED_OUT, RENAME));

        Files.move(outside.resolve("m"), root.resolve("m"));
        Files.move(outside.resolve("file"), root.resolve("file"));
        log.awaitEvent(MOVED_IN, root.resolve("file"));
        Path w = Files.createFile(root.resolve("m/n/w"));
        log.awaitEvent(CREATE, w);

        assertThat(log.events()).containsExactly(
                ev(MOVED_IN, root.resolve("m"), true),
                ev(CREATE, root.resolve("m/n"), true),
                ev(CREATE, root.resolve("m/n/z"), false),
                ev(MOVED_IN, root.resolve("file"), false),
                ev(CREATE, w, false));
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aMoveOutThatEndsTheQueueWaitsForTheGraceAndWhatFollowsIsDeliveredAfterIt(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.writeString(root.resolve("f"), "x");
        Files.writeString(root.resolve("g"), "x");
        EventLog log = watch(FileWatch.tree(root).withKinds(MOVED_OUT, CREATE).withMovePairingGrace(Duration.ofMillis(200)));

        long movedAt = System.nanoTime();
        Files.move(root.resolve("f"), outside.resolve("f"));
        log.awaitEvent(MOVED_OUT, root.resolve("f"));
        long waited = System.nanoTime() - movedAt;
        assertThat(Duration.ofNanos(waited)).as("an unpaired move-out waits for its grace when nothing follows")
                .isGreaterThanOrEqualTo(Duration.ofMillis(195));

        Files.move(root.resolve("g"), outside.resolve("g"));
        Files.createFile(root.resolve("after"));
        sync(log, "done");
        assertThat(log.events()).containsExactly(ev(MOVED_OUT, root.resolve("f"), false), ev(MOVED_OUT, root.resolve("g"), false),
                ev(CREATE, root.resolve("after"), false), ev(CREATE, root.resolve("done"), false));
        log.cancel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.aem.linux.fs.InotifyTestFilesystems#both")
    void aPendingMoveResolvedByTheNextBatchIsFineWhenItsKindIsNotReported(Fs fs) throws Exception {
        makeDirectories(fs);
        Files.writeString(root.resolve("f"), "x");
        Files.createDirectory(root.resolve("d"));
        Map<Integer, String> before = OpenFds.snapshot();
        EventLog log = watch(FileWatch.tree(root).withKinds(CREATE).withMovePairingGrace(Duration.ofSeconds(10)));
        int fd = InotifyFds.theOneOpenedSince(before);
        for (String moved : new String[] {"f", "d"}) {
            Files.move(root.resolve(moved), outside.resolve(moved));
            // the IN_MOVED_FROM has been read and waits for its pair: the queue is empty
            await().atMost(Duration.ofSeconds(5)).until(() -> InotifyFds.queuedBytes(fd) == 0);
            Path after = Files.createFile(root.resolve("after-" + moved));
            log.awaitEvent(CREATE, after);
        }
        assertThat(log.done).isNotDone();
        assertThat(log.events()).containsExactly(ev(CREATE, root.resolve("after-f"), false), ev(CREATE, root.resolve("after-d"), false));
        assertThat(InotifyFds.watchCount(fd)).as("the moved-out directory lost its watch").isEqualTo(1);
        log.cancel();
    }

    @Test
    void aDirectoryReachedTwiceThroughBindMountsIsWatchedOnceAndTheWalkDoesNotLoop() throws Exception {
        makeDirectories(InotifyTestFilesystems.ext4());
        Path a = Files.createDirectory(root.resolve("a"));
        Path b = Files.createDirectory(root.resolve("b"));
        Path loopBack = Files.createDirectories(root.resolve("c/loop"));
        InotifyTestFilesystems.bindMount(a, b);
        try {
            InotifyTestFilesystems.bindMount(root, loopBack);
            try {
                Map<Integer, String> before = OpenFds.snapshot();
                EventLog log = watch(FileWatch.tree(root).withKinds(CREATE).withExistingListed(true));
                log.awaitEvent(e -> e.kind() == LISTING_DONE);
                int fd = InotifyFds.theOneOpenedSince(before);
                assertThat(InotifyFds.watchCount(fd)).as("root (= c/loop), a (= b), c").isEqualTo(3);

                Files.createFile(a.resolve("x"));
                Files.createFile(root.resolve("y"));
                sync(log, "done");
                List<FileEvent> creates = log.of(CREATE);
                assertThat(creates).hasSize(3);
                assertThat(creates.get(0).path().getFileName().toString()).isEqualTo("x");
                assertThat(creates.get(0).path().getParent()).isIn(a, b);
                assertThat(creates.subList(1, 3)).containsExactly(ev(CREATE, root.resolve("y"), false),
                        ev(CREATE, root.resolve("done"), false));
                log.cancel();
                LoopProbe.drainTasks(loop);
            } finally {
                InotifyTestFilesystems.unmount(loopBack);
            }
        } finally {
            InotifyTestFilesystems.unmount(b);
        }
    }
}
