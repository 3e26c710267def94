package io.aem.linux.fs;

import static io.aem.linux.fs.FileEventKind.CREATE;
import static io.aem.linux.fs.FileEventKind.EXISTING;
import static io.aem.linux.fs.FileEventKind.LISTING_DONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Demand is kernel backpressure; cancel closes the inotify fd; one source, one subscription at a time. */
@ExtendWith(FdLeakCheck.class)
class InotifyDemandTest {
    private static EventLoop loop;
    private Path root;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("inotify-demand");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void deleteFiles() {
        InotifyTestFilesystems.deleteRecursively(root);
    }

    @Test
    void withoutDemandNothingIsReadTheEventsWaitInTheKernelAndRequestOneGivesExactlyOne() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-demand");
        Map<Integer, String> before = OpenFds.snapshot();
        EventLog log = EventLog.watch(loop, FileWatch.directory(root).withKinds(CREATE), 0);
        LoopProbe.drainTasks(loop);
        int fd = InotifyFds.theOneOpenedSince(before);
        for (int i = 0; i < 5; i++) {
            Files.createFile(root.resolve("f" + i));
        }
        int queued = InotifyFds.queuedBytes(fd);
        assertThat(queued).as("five records wait in the kernel").isGreaterThanOrEqualTo(5 * 16);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2))
                .until(() -> InotifyFds.queuedBytes(fd) == queued && log.size() == 0);

        log.request(1);
        log.awaitSize(1);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> log.size() == 1);
        assertThat(log.events()).containsExactly(FileEvent.of(CREATE, root.resolve("f0"), false));

        log.request(Long.MAX_VALUE);
        log.awaitSize(5);
        assertThat(log.events()).extracting(e -> e.path().getFileName().toString()).containsExactly("f0", "f1", "f2", "f3", "f4");
        assertThat(InotifyFds.queuedBytes(fd)).isZero();
        log.cancel();
    }

    @Test
    void listedEntriesWaitForDemandLikeAnyOtherEvent() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-demand-listing");
        for (int i = 0; i < 3; i++) {
            Files.createDirectories(root.resolve("d" + i + "/e"));
        }
        EventLog log = EventLog.watch(loop, FileWatch.tree(root).withKinds(CREATE).withExistingListed(true), 0);
        LoopProbe.drainTasks(loop);
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> log.size() == 0);
        log.request(1);
        log.awaitSize(1);
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> log.size() == 1);
        assertThat(log.events().get(0).kind()).isEqualTo(EXISTING);
        log.request(6);
        log.awaitEvent(e -> e.kind() == LISTING_DONE);
        assertThat(log.events()).hasSize(7).filteredOn(e -> e.kind() == EXISTING).hasSize(6);
        log.cancel();
    }

    @Test
    void cancelFromAnotherThreadClosesTheInotifyFdAndNothingFollows() throws Exception {
        root = InotifyTestFilesystems.ext4().newDirectory("aem-cancel");
        Files.createDirectories(root.resolve("a/b"));
        Map<Integer, String> before = OpenFds.snapshot();
        EventLog log = EventLog.watch(loop, FileWatch.tree(root), Long.MAX_VALUE);
        LoopProbe.drainTasks(loop);
        log.awaitEvent(CREATE, Files.createFile(root.resolve("a/b/x")));
        assertThat(OpenFds.countAnonSince(before, "inotify")).isEqualTo(1);

        CompletableFuture.runAsync(log::cancel).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "inotify") == 0);
        int seen = log.size();
        Files.createFile(root.resolve("a/b/after"));
        LoopProbe.drainTasks(loop);
        assertThat(log.size()).isEqualTo(seen);
        assertThat(log.done).isNotDone();
        assertThat(LoopProbe.registrationCount(loop)).isZero();
    }

    @Test
    void aSourceServesOneSubscriptionAtATimeAndThePublisherGivesEachSubscriberItsOwnInstance() throws Exception {
        root = InotifyTestFilesystems.tmpfs().newDirectory("aem-subscribers");
        InotifyWatchSource source = new InotifyWatchSource(FileWatch.directory(root));
        SourcePublisher<FileEvent> shared = new SourcePublisher<>(loop, source);
        RecordingSubscriber<FileEvent> first = new RecordingSubscriber<>(Long.MAX_VALUE);
        RecordingSubscriber<FileEvent> second = new RecordingSubscriber<>(Long.MAX_VALUE);
        shared.subscribe(first);
        shared.subscribe(second);
        await().atMost(Duration.ofSeconds(5)).until(second.done::isDone);
        assertThat(second.error()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one subscription at a time").hasMessageContaining("InotifyWatchSource.publisher");
        first.cancel();
        LoopProbe.drainTasks(loop);
        RecordingSubscriber<FileEvent> third = new RecordingSubscriber<>(Long.MAX_VALUE);
        shared.subscribe(third);
        LoopProbe.drainTasks(loop);
        assertThat(third.done).isNotDone();
        third.cancel();
        LoopProbe.drainTasks(loop);

        Map<Integer, String> before = OpenFds.snapshot();
        EventLog a = EventLog.watch(loop, FileWatch.directory(root).withKinds(CREATE), Long.MAX_VALUE);
        EventLog b = EventLog.watch(loop, FileWatch.directory(root).withKinds(CREATE), Long.MAX_VALUE);
        LoopProbe.drainTasks(loop);
        assertThat(OpenFds.countAnonSince(before, "inotify")).isEqualTo(2);
        Path f = Files.createFile(root.resolve("f"));
        a.awaitEvent(CREATE, f);
        b.awaitEvent(CREATE, f);
        a.cancel();
        b.cancel();
    }
}
