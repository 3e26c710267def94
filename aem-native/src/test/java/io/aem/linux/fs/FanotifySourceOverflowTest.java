package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.source.EventsLostException;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.LoopProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real {@code FAN_Q_OVERFLOW}: a subscriber without demand while more distinct events happen
 * than the kernel queues ({@code fs.fanotify.max_queued_events}). Nothing is read meanwhile, so
 * the kernel, not Java, drops the excess and says so.
 */
@ExtendWith(FdLeakCheck.class)
class FanotifySourceOverflowTest {
    private static EventLoop loop;
    private Path dir;
    private QueueingSubscriber<FileAccessEvent> sub;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-overflow");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TestFilesystems.newDirectory(TestFilesystems.TMPFS_BASE, "tmpfs");
    }

    @AfterEach
    void cancelAndDelete() throws Exception {
        if (sub != null) {
            sub.subscription.join().cancel();
        }
        LoopProbe.drainTasks(loop);
        TestFilesystems.deleteTree(dir);
    }

    private static int queueLimit() throws Exception {
        return Integer.parseInt(Limits.readProc("/proc/sys/fs/fanotify/max_queued_events"));
    }

    /** Creates more distinct files than the queue holds (the kernel merges only identical events). */
    private List<Path> overfill() throws Exception {
        int n = queueLimit() + 100;
        List<Path> files = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            files.add(Files.createFile(dir.resolve("f" + i)));
        }
        return files;
    }

    private QueueingSubscriber<FileAccessEvent> watch(FanotifyOverflowPolicy policy) {
        FanotifyWatch watch = FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE).withOverflowPolicy(policy);
        sub = new QueueingSubscriber<>();
        FanotifySource.publisher(loop, watch).subscribe(sub);
        LoopProbe.drainTasks(loop);
        assertThat(sub.done).isNotDone();
        return sub;
    }

    private StreamStats stats() {
        return loop.streams().stream().filter(s -> s.sourceName().startsWith("fanotify PATH " + dir)).findFirst().orElseThrow();
    }

    @Test
    void aFullQueueBecomesOneOverflowEventAfterTheQueuedOnesAndLaterEventsStillArrive() throws Exception {
        watch(FanotifyOverflowPolicy.SIGNAL);
        List<Path> files = overfill();
        assertThat(sub.items).isEmpty();
        int limit = queueLimit();
        sub.subscription.join().request(Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(30)).until(() -> sub.items.size() > limit);
        Path after = Files.createFile(dir.resolve("after"));
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == limit + 2);

        List<FileAccessEvent> events = new ArrayList<>(sub.items);
        assertThat(events.subList(0, limit)).extracting(FileAccessEvent::path).isEqualTo(files.subList(0, limit));
        assertThat(events.get(limit).kind()).isEqualTo(FileEventKind.OVERFLOW);
        assertThat(events.get(limit).path()).isNull();
        assertThat(events.get(limit + 1)).extracting(FileAccessEvent::kind, FileAccessEvent::path)
                .containsExactly(FileEventKind.CREATE, after);
        assertThat(stats().lost()).isEqualTo(1);
        assertThat(sub.done).isNotDone();
    }

    @Test
    void underTheFailPolicyAnOverflowEndsTheStreamAfterTheQueuedEvents() throws Exception {
        watch(FanotifyOverflowPolicy.FAIL);
        overfill();
        int limit = queueLimit();
        sub.subscription.join().request(Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(30)).until(sub.done::isDone);
        assertThat(sub.done).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(EventsLostException.class)
                .withMessageContaining("fs.fanotify.max_queued_events (" + limit + ")")
                .withMessageContaining("FanotifyOverflowPolicy.SIGNAL");
        assertThat(sub.items).hasSize(limit).allSatisfy(e -> assertThat(e.kind()).isEqualTo(FileEventKind.CREATE));
        sub = null;
    }
}
