package io.aem.linux.fs;

import static io.aem.linux.fs.AccessEvents.awaitEvent;
import static io.aem.linux.fs.AccessEvents.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fds a stream owns, and demand as kernel-level backpressure. */
@ExtendWith(FdLeakCheck.class)
class FanotifySourceLifecycleTest {
    private static EventLoop loop;
    private Path ext4;
    private Path tmpfs;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-lifecycle");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @BeforeEach
    void createDirectories() throws Exception {
        ext4 = TestFilesystems.newDirectory(TestFilesystems.EXT4_BASE, "ext4");
        tmpfs = TestFilesystems.newDirectory(TestFilesystems.TMPFS_BASE, "tmpfs");
    }

    @AfterEach
    void delete() throws Exception {
        TestFilesystems.deleteTree(ext4);
        TestFilesystems.deleteTree(tmpfs);
    }

    private FanotifyWatch twoFilesystems() {
        return FanotifyWatch.of(List.of(FanotifyMark.path(ext4), FanotifyMark.path(tmpfs)), Set.of(FileEventKind.CREATE));
    }

    @Test
    void aStreamHoldsOneGroupFdAndOneFdPerMarkedFilesystemAndCancelClosesThemAll() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<FileAccessEvent> sub = subscribe(loop, twoFilesystems(), Long.MAX_VALUE);
        Path created = Files.createFile(tmpfs.resolve("x"));
        awaitEvent(sub, FileEventKind.CREATE, created);
        // The mount fds are the roots of the marked paths' mounts, which cannot be deleted while mounted.
        assertThat(OpenFds.openedSince(before).values())
                .containsExactlyInAnyOrder("anon_inode:[fanotify]", "/", TestFilesystems.TMPFS_BASE.toString());
        sub.cancel();
        OpenFds.awaitClosedSince(before, "the cancelled fanotify stream", Duration.ofSeconds(5));
    }

    @Test
    void aLoopShutdownEndsTheStreamAndClosesItsFds() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<FileAccessEvent> sub;
        try (EventLoop own = EventLoop.open("fanotify-shutdown")) {
            sub = subscribe(own, twoFilesystems(), Long.MAX_VALUE);
        }
        assertThat(sub.done).failsWithin(Duration.ofSeconds(5));
        assertThat(sub.error()).isInstanceOf(EventLoopClosedException.class);
        OpenFds.awaitClosedSince(before, "the fanotify stream of a closed loop", Duration.ofSeconds(5));
    }

    /**
     * Without demand the loop does not read: the events stay in the kernel's queue (its size,
     * {@code FIONREAD} on the group fd, grows), and arrive in order once requested.
     */
    @Test
    void withoutDemandNothingIsReadAndTheKernelQueueHoldsTheEvents() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<FileAccessEvent> sub = subscribe(loop, twoFilesystems(), 0);
        int group = OpenFds.openedSince(before).entrySet().stream().filter(e -> e.getValue().equals("anon_inode:[fanotify]"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        assertThat(Fionread.queued(group)).isZero();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(Files.createFile((i % 2 == 0 ? ext4 : tmpfs).resolve("f" + i)));
        }
        int queued = Fionread.queued(group);
        assertThat(queued).isGreaterThanOrEqualTo(5 * 24);
        LoopProbe.drainTasks(loop);
        assertThat(sub.items).isEmpty();
        assertThat(Fionread.queued(group)).isEqualTo(queued);
        StreamStats stats = loop.streams().stream().filter(s -> s.sourceName().equals(twoFilesystems().toString()))
                .findFirst().orElseThrow();
        assertThat(stats.delivered()).isZero();

        sub.request(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        sub.request(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 5);
        assertThat(sub.items).extracting(FileAccessEvent::path).containsExactlyElementsOf(files);
        assertThat(Fionread.queued(group)).isZero();
        sub.cancel();
        OpenFds.awaitClosedSince(before, "the fanotify stream", Duration.ofSeconds(5));
    }

    /**
     * A record the kernel merged ("opened, written, closed") is read once, and its kinds are
     * delivered one per unit of demand: the others wait in the source, not in a queue.
     */
    @Test
    void theKindsOfAMergedRecordWaitForDemandOneAtATime() throws Exception {
        Path file = Files.createFile(tmpfs.resolve("merged"));
        RecordingSubscriber<FileAccessEvent> sub = subscribe(loop, FanotifyWatch.of(FanotifyMark.path(tmpfs),
                FileEventKind.OPEN, FileEventKind.MODIFY, FileEventKind.CLOSE_WRITE), 0);
        Files.writeString(file, "x");
        List<FileEventKind> expected = List.of(FileEventKind.OPEN, FileEventKind.MODIFY, FileEventKind.CLOSE_WRITE);
        for (int i = 1; i <= expected.size(); i++) {
            sub.request(1);
            int delivered = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == delivered);
            LoopProbe.drainTasks(loop);
            assertThat(sub.items).hasSize(delivered);
        }
        assertThat(sub.items).extracting(FileAccessEvent::kind).containsExactlyElementsOf(expected);
        assertThat(sub.items).extracting(FileAccessEvent::path).containsOnly(file);
        sub.cancel();
    }

    /** {@code ioctl(fd, FIONREAD, &n)}: the bytes of events queued in a fanotify group. */
    static final class Fionread {
        private static final long FIONREAD = 0x541B;

        static {
            Native.register(Fionread.class, NativeLibrary.getInstance("c"));
        }

        private Fionread() {
        }

        private static native int ioctl(int fd, long request, Pointer arg);

        static int queued(int fd) {
            try (Memory n = new Memory(4)) {
                assertThat(ioctl(fd, FIONREAD, n)).as("ioctl(FIONREAD)").isZero();
                return n.getInt(0);
            }
        }
    }
}
