package io.aem.linux.fs;

import static io.aem.linux.fs.AccessEvents.awaitEvent;
import static io.aem.linux.fs.AccessEvents.subscribe;
import static io.aem.linux.fs.AccessEvents.subscribeRaw;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ThreadCapabilities;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Refusals become typed errors that name the cause and the remedy, and leave no fd behind. */
@ExtendWith(FdLeakCheck.class)
class FanotifySourceErrorsTest {
    private static final int CAP_DAC_READ_SEARCH = 2;
    private static final int CAP_SYS_ADMIN = 21;
    private static EventLoop loop;
    private Path dir;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-errors");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TestFilesystems.newDirectory(TestFilesystems.EXT4_BASE, "ext4");
    }

    @AfterEach
    void delete() throws Exception {
        TestFilesystems.deleteTree(dir);
    }

    private static Throwable failureOf(EventLoop on, FanotifyWatch watch) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<FileAccessEvent> sub = subscribeRaw(on, watch, 1);
        assertThat(sub.done).failsWithin(Duration.ofSeconds(5));
        OpenFds.awaitClosedSince(before, "the failed open of " + watch, Duration.ofSeconds(5));
        return sub.error();
    }

    /** Capabilities are per thread: the loop thread, which calls fanotify_init, drops it. */
    @Test
    void aLoopThreadWithoutCapSysAdminFailsNamingTheCapability() throws Exception {
        try (EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("no-sys-admin")
                .withThreadFactory(ThreadCapabilities.factoryWithout(CAP_SYS_ADMIN, "no-sys-admin")))) {
            Throwable e = failureOf(unprivileged, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE));
            assertThat(e).isInstanceOf(MissingPrivilegeException.class).hasMessageContaining("CAP_SYS_ADMIN")
                    .hasMessageContaining("no-sys-admin").hasMessageContaining("setcap");
            assertThat(((MissingPrivilegeException) e).privilege()).isEqualTo("CAP_SYS_ADMIN");
        }
    }

    @Test
    void aLoopThreadWithoutCapDacReadSearchFailsNamingTheCapability() throws Exception {
        try (EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("no-dac-read-search")
                .withThreadFactory(ThreadCapabilities.factoryWithout(CAP_DAC_READ_SEARCH, "no-dac-read-search")))) {
            Throwable e = failureOf(unprivileged, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE));
            assertThat(e).isInstanceOf(MissingPrivilegeException.class).hasMessageContaining("open_by_handle_at");
            assertThat(((MissingPrivilegeException) e).privilege()).isEqualTo("CAP_DAC_READ_SEARCH");
        }
    }

    @Test
    void aMissingPathIsANoSuchFileExceptionNamingIt() throws Exception {
        Path missing = dir.resolve("not-there");
        Throwable e = failureOf(loop, FanotifyWatch.of(FanotifyMark.path(missing), FileEventKind.CREATE));
        assertThat(e).isInstanceOf(NoSuchFileException.class).hasMessageContaining("create it first");
        assertThat(((NoSuchFileException) e).getFile()).isEqualTo(missing.toString());
    }

    @Test
    void aMissingPathAmongSeveralMarksClosesWhatTheOthersOpened() throws Exception {
        Throwable e = failureOf(loop, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE)
                .withMark(FanotifyMark.path(TestFilesystems.TMPFS_BASE))
                .withMark(FanotifyMark.filesystem(dir.resolve("not-there"))));
        assertThat(e).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aPseudoFilesystemWithoutFileHandlesIsRefusedNamingIt() throws Exception {
        for (FanotifyMark mark : new FanotifyMark[] {FanotifyMark.path(Path.of("/proc/self")), FanotifyMark.filesystem(Path.of("/proc"))}) {
            Throwable e = failureOf(loop, FanotifyWatch.of(mark, FileEventKind.OPEN));
            assertThat(e).as("%s", mark).isInstanceOf(UnsupportedFilesystemException.class).hasMessageContaining("inotify");
            assertThat(((UnsupportedFilesystemException) e).filesystem()).isEqualTo("proc at /proc");
        }
    }

    @Test
    void aSourceServesOneSubscriptionAtATimeAndServesAgainAfterIt() throws Exception {
        FanotifySource source = new FanotifySource(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE));
        SourcePublisher<FileAccessEvent> publisher = new SourcePublisher<>(loop, source);
        RecordingSubscriber<FileAccessEvent> first = new RecordingSubscriber<>(Long.MAX_VALUE);
        publisher.subscribe(first);
        RecordingSubscriber<FileAccessEvent> second = new RecordingSubscriber<>(Long.MAX_VALUE);
        publisher.subscribe(second);
        assertThat(second.done).failsWithin(Duration.ofSeconds(5));
        assertThat(second.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("FanotifySource.publisher");
        Path a = Files.createFile(dir.resolve("a"));
        awaitEvent(first, FileEventKind.CREATE, a);
        first.cancel();
        LoopProbe.drainTasks(loop);

        RecordingSubscriber<FileAccessEvent> third = new RecordingSubscriber<>(Long.MAX_VALUE);
        publisher.subscribe(third);
        LoopProbe.drainTasks(loop);
        Path b = Files.createFile(dir.resolve("b"));
        awaitEvent(third, FileEventKind.CREATE, b);
        third.cancel();
        LoopProbe.drainTasks(loop);
    }

    @Test
    void theCheckHappensOnTheLoopThreadSoAPrivilegedCallerCannotLendItsCapability() throws Exception {
        // The subscribing thread (this one) keeps CAP_SYS_ADMIN; only the loop thread lacks it.
        assertThat(ThreadCapabilities.has(CAP_SYS_ADMIN)).isTrue();
        try (EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("no-sys-admin-2")
                .withThreadFactory(ThreadCapabilities.factoryWithout(CAP_SYS_ADMIN, "no-sys-admin-2")))) {
            RecordingSubscriber<FileAccessEvent> sub = subscribeRaw(unprivileged,
                    FanotifyWatch.of(FanotifyMark.filesystem(dir), FileEventKind.CREATE), 1);
            assertThat(sub.done).failsWithin(5, TimeUnit.SECONDS);
            assertThat(sub.error()).isInstanceOf(MissingPrivilegeException.class);
        }
        RecordingSubscriber<FileAccessEvent> privileged = subscribe(loop, FanotifyWatch.of(FanotifyMark.path(dir),
                FileEventKind.CREATE), 1);
        privileged.cancel();
        LoopProbe.drainTasks(loop);
    }
}
