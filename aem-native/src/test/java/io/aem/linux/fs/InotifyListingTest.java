package io.aem.linux.fs;

import static io.aem.linux.fs.FileEventKind.CREATE;
import static io.aem.linux.fs.FileEventKind.EXISTING;
import static io.aem.linux.fs.FileEventKind.LISTING_DONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The initial listing: EXISTING for what is there, LISTING_DONE, then live events, without duplicates. */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class InotifyListingTest {
    private static EventLoop loop;
    private Path root;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-listing");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() {
        InotifyTestFilesystems.deleteRecursively(root);
    }

    private static FileEvent ev(FileEventKind kind, Path path, boolean directory) {
        return FileEvent.of(kind, path, directory);
    }

    @Test
    void aTreeListsEveryEntryOnceParentsBeforeChildrenThenListingDoneThenLiveEvents() throws Exception {
        root = InotifyTestFilesystems.ext4().newDirectory("aem-listing");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/f"), "x");
        Files.writeString(root.resolve("g"), "x");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("a"));
        EventLog log = EventLog.watch(loop, FileWatch.tree(root).withKinds(CREATE).withExistingListed(true), Long.MAX_VALUE);
        log.awaitEvent(e -> e.kind() == LISTING_DONE);
        Path live = Files.createFile(root.resolve("a/b/c/live"));
        log.awaitEvent(CREATE, live);

        List<FileEvent> events = log.events();
        assertThat(events.subList(0, 6)).containsExactlyInAnyOrder(ev(EXISTING, root.resolve("a"), true),
                ev(EXISTING, root.resolve("a/b"), true), ev(EXISTING, root.resolve("a/b/c"), true),
                ev(EXISTING, root.resolve("a/b/f"), false), ev(EXISTING, root.resolve("g"), false),
                ev(EXISTING, root.resolve("link"), false));
        assertThat(events.subList(6, events.size())).containsExactly(ev(LISTING_DONE, root, true), ev(CREATE, live, false));
        assertThat(events.indexOf(ev(EXISTING, root.resolve("a"), true)))
                .isLessThan(events.indexOf(ev(EXISTING, root.resolve("a/b"), true)));
        assertThat(events.indexOf(ev(EXISTING, root.resolve("a/b"), true)))
                .isLessThan(events.indexOf(ev(EXISTING, root.resolve("a/b/f"), false)));
        log.cancel();
    }

    @Test
    void theListingIsDepthFirstSoOnlyTheCurrentPathsEntriesAreHeld() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-listing-order");
        for (String d : new String[] {"a", "b", "c"}) {
            for (String e : new String[] {"x", "y", "z"}) {
                Files.createDirectories(root.resolve(d + "/" + e));
                Files.createFile(root.resolve(d + "/" + e + "/f1"));
                Files.createFile(root.resolve(d + "/" + e + "/f2"));
            }
        }
        EventLog log = EventLog.watch(loop, FileWatch.tree(root).withKinds(CREATE).withExistingListed(true), Long.MAX_VALUE);
        log.awaitEvent(e -> e.kind() == LISTING_DONE);
        List<FileEvent> existing = log.of(EXISTING);
        assertThat(existing).hasSize(3 + 9 + 18);
        // a pre-order walk: each entry's parent is the root or on the path of directories above it
        Deque<Path> path = new ArrayDeque<>(List.of(root));
        for (FileEvent e : existing) {
            while (!path.isEmpty() && !path.peek().equals(e.path().getParent())) {
                path.pop();
            }
            assertThat(path).as("%s comes while its parent is on the current path", e.path()).isNotEmpty();
            if (e.directory()) {
                path.push(e.path());
            }
        }
        log.cancel();
    }

    @Test
    void aDirectoryListsOneLevelAndAFileListsItself() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-listing-flat");
        Files.createDirectories(root.resolve("sub/deeper"));
        Path f = Files.writeString(root.resolve("f"), "x");

        EventLog dir = EventLog.watch(loop, FileWatch.directory(root).withExistingListed(true).withKinds(CREATE), Long.MAX_VALUE);
        dir.awaitEvent(e -> e.kind() == LISTING_DONE);
        assertThat(dir.events().subList(0, 2)).containsExactlyInAnyOrder(ev(EXISTING, root.resolve("sub"), true),
                ev(EXISTING, f, false));
        assertThat(dir.events()).hasSize(3).endsWith(ev(LISTING_DONE, root, true));
        dir.cancel();

        EventLog file = EventLog.watch(loop, FileWatch.file(f).withExistingListed(true), Long.MAX_VALUE);
        file.awaitEvent(e -> e.kind() == LISTING_DONE);
        assertThat(file.events()).containsExactly(ev(EXISTING, f, false), ev(LISTING_DONE, f, false));
        file.cancel();

        Path empty = Files.createDirectory(root.resolve("empty"));
        EventLog none = EventLog.watch(loop, FileWatch.tree(empty).withExistingListed(true), Long.MAX_VALUE);
        none.awaitEvent(e -> e.kind() == LISTING_DONE);
        assertThat(none.events()).containsExactly(ev(LISTING_DONE, empty, true));
        none.cancel();
    }

    @Test
    void entriesCreatedWhileTheListingRunsAreReportedOnceAsExistingOrCreate() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-listing-race");
        for (int round = 0; round < 10; round++) {
            Path r = Files.createDirectory(root.resolve("round-" + round));
            List<Path> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(Files.createDirectories(r.resolve("old" + i + "/x")));
                expected.add(r.resolve("old" + i));
            }
            Process writer = new ProcessBuilder("sh", "-c", "for i in $(seq 1 20); do mkdir -p n$i/x/y && touch n$i/x/y/f; done")
                    .directory(r.toFile()).redirectErrorStream(true).start();
            EventLog log = EventLog.watch(loop, FileWatch.tree(r).withKinds(CREATE).withExistingListed(true), Long.MAX_VALUE);
            String out = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(writer.exitValue()).as(out).isZero();
            for (int i = 1; i <= 20; i++) {
                for (String p : new String[] {"", "/x", "/x/y", "/x/y/f"}) {
                    expected.add(r.resolve("n" + i + p));
                }
            }
            Path done = Files.createFile(r.resolve("done"));
            expected.add(done);
            log.awaitEvent(CREATE, done);

            List<Path> reported = log.matching(e -> e.kind() == EXISTING || e.kind() == CREATE).stream()
                    .map(FileEvent::path).collect(Collectors.toList());
            assertThat(reported).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(log.of(LISTING_DONE)).hasSize(1);
            for (int i = 0; i < 10; i++) {
                assertThat(log.events()).contains(ev(EXISTING, r.resolve("old" + i + "/x"), true));
            }
            log.cancel();
        }
    }
}
