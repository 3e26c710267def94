package io.aem.linux.fs;

import static io.aem.linux.fs.AccessEvents.awaitEvent;
import static io.aem.linux.fs.AccessEvents.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The acting process of an event: its pid, and its executable read while it runs. */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class FanotifySourceProcessTest {
    private static EventLoop loop;
    private Path dir;
    private RecordingSubscriber<FileAccessEvent> sub;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-process");
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
    void cancelAndDelete() throws Exception {
        if (sub != null) {
            sub.cancel();
        }
        TestFilesystems.deleteTree(dir);
    }

    /**
     * {@code tee} creates its file and then waits for its input, so it is still running when the
     * loop reads the event: its executable is there to read.
     */
    @Test
    void aChildCreatingAFileIsTheEventsPidAndItsExecutableIsReadWhileItRuns() throws Exception {
        sub = subscribe(loop, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE), Long.MAX_VALUE);
        Path file = dir.resolve("from-tee");
        Process tee = new ProcessBuilder("/usr/bin/tee", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            FileAccessEvent e = awaitEvent(sub, FileEventKind.CREATE, file);
            assertThat(e.pid()).isEqualTo((int) tee.pid());
            assertThat(e.executable()).contains(Path.of("/usr/bin/tee").toRealPath());
        } finally {
            tee.getOutputStream().close();
            assertThat(tee.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Without demand the event waits in the kernel while {@code touch} runs and exits; read after
     * that, it still names the pid, and the executable is absent rather than guessed.
     */
    @Test
    void theExecutableOfAProcessThatExitedBeforeTheEventWasReadIsAbsent() throws Exception {
        sub = subscribe(loop, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE), 0);
        Path file = dir.resolve("from-touch");
        Process touch = new ProcessBuilder("/usr/bin/touch", file.toString()).start();
        assertThat(touch.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(touch.exitValue()).isZero();
        assertThat(sub.items).isEmpty();
        sub.request(1);
        FileAccessEvent e = awaitEvent(sub, FileEventKind.CREATE, file);
        assertThat(e.pid()).isEqualTo((int) touch.pid());
        assertThat(e.executable()).isEmpty();
    }
}
