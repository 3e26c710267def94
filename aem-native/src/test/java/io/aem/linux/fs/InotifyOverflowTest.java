package io.aem.linux.fs;

import static io.aem.linux.fs.FileEventKind.CREATE;
import static io.aem.linux.fs.FileEventKind.DELETE;
import static io.aem.linux.fs.FileEventKind.EXISTING;
import static io.aem.linux.fs.FileEventKind.LISTING_DONE;
import static io.aem.linux.fs.FileEventKind.OVERFLOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.source.EventsLostException;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real overflow of the kernel queue: a subscriber without demand while more events than
 * {@code fs.inotify.max_queued_events} happen (distinct names, so the kernel merges none), then
 * demand; once for each overflow policy.
 */
@ExtendWith(FdLeakCheck.class)
class InotifyOverflowTest {
    private static EventLoop loop;
    private static int maxQueued;
    private Path root;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-overflow");
        maxQueued = Integer.parseInt(Limits.readProc(InotifyErrors.MAX_QUEUED_EVENTS));
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() {
        InotifyTestFilesystems.deleteRecursively(root);
    }

    /** Subscribes without demand and waits until the source's open ran: the watches are in place. */
    private EventLog watchWithoutDemand(FileWatch watch) {
        EventLog log = EventLog.watch(loop, watch, 0);
        LoopProbe.drainTasks(loop);
        return log;
    }

    /** Queues more events than the kernel keeps: a create and a delete per distinct name. */
    private void overflowTheQueue() throws Exception {
        for (int i = 0; i < maxQueued / 2 + 64; i++) {
            Path f = Files.createFile(root.resolve("flood-" + i));
            Files.delete(f);
        }
    }

    private StreamStats stats() {
        return loop.streams().stream().filter(s -> s.sourceName().contains(root.toString())).findFirst().orElseThrow();
    }

    private static FileEvent ev(FileEventKind kind, Path path, boolean directory) {
        return FileEvent.of(kind, path, directory);
    }

    @Test
    void signalReportsOneOverflowAfterWhatTheKernelKeptAndLiveEventsFollowInANewDirectoryToo() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-overflow-signal");
        EventLog log = watchWithoutDemand(FileWatch.tree(root).withKinds(CREATE, DELETE));
        overflowTheQueue();
        Files.createDirectories(root.resolve("late/inner")); // its creation is lost: the queue is full

        log.request(Long.MAX_VALUE);
        log.awaitEvent(e -> e.kind() == OVERFLOW);
        List<FileEvent> events = log.events();
        assertThat(events.indexOf(ev(OVERFLOW, root, true))).as("the kernel kept max_queued_events").isEqualTo(maxQueued);
        assertThat(events.subList(0, maxQueued)).allMatch(e -> e.kind() == CREATE || e.kind() == DELETE);
        assertThat(stats().lost()).isEqualTo(1);

        Path g = Files.createFile(root.resolve("late/inner/g"));
        log.awaitEvent(CREATE, g);
        assertThat(log.events().subList(maxQueued, log.size())).containsExactly(ev(OVERFLOW, root, true), ev(CREATE, g, false));
        log.cancel();
    }

    @Test
    void rescanReportsOverflowThenEverythingThereNowThenListingDoneThenLiveEvents() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-overflow-rescan");
        Files.createDirectory(root.resolve("before"));
        EventLog log = watchWithoutDemand(FileWatch.tree(root).withKinds(CREATE, DELETE).withOverflow(OverflowPolicy.RESCAN));
        overflowTheQueue();
        Files.createDirectories(root.resolve("late/inner"));
        Files.createFile(root.resolve("late/inner/f"));
        Files.createFile(root.resolve("kept"));

        log.request(Long.MAX_VALUE);
        log.awaitEvent(e -> e.kind() == LISTING_DONE);
        List<FileEvent> events = log.events();
        assertThat(events.indexOf(ev(OVERFLOW, root, true))).isEqualTo(maxQueued);
        List<FileEvent> listing = events.subList(maxQueued + 1, events.size() - 1);
        assertThat(listing).containsExactlyInAnyOrder(ev(EXISTING, root.resolve("before"), true),
                ev(EXISTING, root.resolve("late"), true), ev(EXISTING, root.resolve("late/inner"), true),
                ev(EXISTING, root.resolve("late/inner/f"), false), ev(EXISTING, root.resolve("kept"), false));
        assertThat(events.get(events.size() - 1)).isEqualTo(ev(LISTING_DONE, root, true));
        assertThat(stats().lost()).isEqualTo(1);

        Path g = Files.createFile(root.resolve("late/inner/g"));
        log.awaitEvent(CREATE, g);
        assertThat(log.events().get(log.size() - 1)).isEqualTo(ev(CREATE, g, false));
        log.cancel();
    }

    @Test
    void errorEndsTheStreamWithEventsLostAfterWhatTheKernelKept() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-overflow-error");
        EventLog log = watchWithoutDemand(FileWatch.directory(root).withKinds(CREATE, DELETE).withOverflow(OverflowPolicy.ERROR));
        overflowTheQueue();

        log.request(Long.MAX_VALUE);
        Throwable error = log.awaitEnd();
        assertThat(error).isInstanceOf(EventsLostException.class)
                .hasMessageContaining("fs.inotify.max_queued_events = " + maxQueued)
                .hasMessageContaining("OverflowPolicy.SIGNAL or RESCAN");
        assertThat(((EventsLostException) error).lost()).isEqualTo(-1);
        assertThat(log.size()).isEqualTo(maxQueued);
    }
}
