package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class ProcessExitSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("pexit-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static RecordingSubscriber<ProcessExit> watch(long pid, long initialRequest) {
        RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(initialRequest);
        new SourcePublisher<>(loop, new ProcessExitSource(pid)).subscribe(sub);
        return sub;
    }

    /** Watches a child to its end and checks that it was reaped: no zombie is left. */
    private static ProcessExit exitOfChild(int pid) throws Exception {
        try {
            RecordingSubscriber<ProcessExit> sub = watch(pid, 1);
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(sub.items).hasSize(1);
            assertThat(sub.threads).containsOnly("pexit-test");
            assertThat(Processes.state(pid)).as("child %d reaped, not a zombie", pid).isEqualTo('-');
            return sub.items.get(0);
        } finally {
            TestSpawn.killAndReap(pid);
        }
    }

    @Test
    void childExitingWithZeroIsReportedAsExitedZero() throws Exception {
        long before = System.nanoTime();
        Instant wallBefore = Instant.now();
        int pid = TestSpawn.sh("exit 0");
        ProcessExit exit = exitOfChild(pid);
        assertThat(exit.pid()).isEqualTo(pid);
        assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(0));
        assertThat(exit.isSuccess()).isTrue();
        assertThat(exit.seenNanos()).isBetween(before, System.nanoTime());
        assertThat(exit.seenAt()).isBetween(wallBefore, Instant.now());
    }

    @Test
    void childExitingWith42IsReportedAsExited42() throws Exception {
        ProcessExit exit = exitOfChild(TestSpawn.sh("sleep 0.05; exit 42"));
        assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(42));
        assertThat(exit.isSuccess()).isFalse();
    }

    @Test
    void sigkillThroughThePidfdIsReportedAsKilledBy9() throws Exception {
        int pid = TestSpawn.spawn("sleep", "30");
        try (ProcessHandleFd handle = ProcessHandleFd.open(pid)) {
            RecordingSubscriber<ProcessExit> sub = watch(pid, 1);
            assertThat(handle.sendSignal(0)).isTrue();
            assertThat(handle.sendSignal(9)).isTrue();
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(sub.items).extracting(ProcessExit::status).containsExactly(new ProcessExit.Killed(9));
            assertThat(Processes.state(pid)).isEqualTo('-');
            // Reaped: the handle still names that process, never a later one with the same pid.
            assertThat(handle.sendSignal(0)).isFalse();
        } finally {
            TestSpawn.killAndReap(pid);
        }
    }

    private static String corePattern() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
    }

    @Test
    void segfaultWithoutCoreLimitIsReportedAsKilledBySignal11() throws Exception {
        String pattern = corePattern();
        ProcessExit exit = exitOfChild(TestSpawn.sh("ulimit -c 0; kill -SEGV $$"));
        System.out.println("SIGSEGV with RLIMIT_CORE 0, core_pattern '" + pattern + "': saw " + exit.status());
        if (pattern.startsWith("|")) {
            // A pipe handler gets the core whatever RLIMIT_CORE says.
            assertThat(exit.status()).isIn(new ProcessExit.Killed(11), new ProcessExit.Dumped(11));
        } else {
            assertThat(exit.status()).isEqualTo(new ProcessExit.Killed(11));
        }
    }

    @Test
    void segfaultAllowedToDumpCoreIsReportedAsDumpedWhereTheCoreSettingsProduceOne(@TempDir Path dir)
            throws Exception {
        String pattern = corePattern();
        ProcessExit exit = exitOfChild(TestSpawn.sh("cd '" + dir + "' && ulimit -c unlimited && kill -SEGV $$"));
        boolean coreFile;
        try (Stream<Path> files = Files.list(dir)) {
            coreFile = files.anyMatch(p -> p.getFileName().toString().startsWith("core"));
        }
        System.out.println("SIGSEGV with RLIMIT_CORE unlimited, core_pattern '" + pattern + "': saw " + exit.status()
                + (coreFile ? ", core file written in the child's directory" : ", no core file in the child's directory"));
        if (!pattern.startsWith("|") && !pattern.contains("/") && !pattern.isEmpty()) {
            // A relative pattern writes into the child's working directory, which it may write to.
            assertThat(exit.status()).isEqualTo(new ProcessExit.Dumped(11));
            assertThat(coreFile).isTrue();
        } else {
            assertThat(exit.status()).isIn(new ProcessExit.Killed(11), new ProcessExit.Dumped(11));
        }
    }

    @Test
    void aNonChildExitingCarriesItsExitCodeFromTheProcessConnector() throws Exception {
        // The shell's background child is the shell's, not this JVM's.
        Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 0.3 & echo $!; wait")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        try {
            long grandchild;
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII))) {
                grandchild = Long.parseLong(out.readLine().trim());
                RecordingSubscriber<ProcessExit> sub = watch(grandchild, 1);
                sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(sub.items).hasSize(1);
                ProcessExit exit = sub.items.get(0);
                assertThat(exit.pid()).isEqualTo(grandchild);
                // Not this JVM's child: the status comes from the loop's process connector socket.
                assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(0));
                assertThat(exit.isSuccess()).isTrue();
            }
            assertThat(shell.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            shell.destroyForcibly();
        }
    }

    @Test
    void anUnknownPidIsANoSuchProcessExceptionNamingThePid() throws Exception {
        // Above PID_MAX_LIMIT (4194304): no process can have this pid.
        long pid = Integer.MAX_VALUE;
        RecordingSubscriber<ProcessExit> sub = watch(pid, 1);
        try {
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected an error");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(NoSuchProcessException.class)
                    .hasMessageContaining("ESRCH").hasMessageContaining(String.valueOf(pid));
            assertThat(((NoSuchProcessException) e.getCause()).pid()).isEqualTo(pid);
        }
        assertThat(sub.items).isEmpty();
    }

    @Test
    void aReapedChildsPidIsANoSuchProcessException() throws Exception {
        int pid = TestSpawn.sh("exit 0");
        exitOfChild(pid);
        try {
            ProcessHandleFd.open(pid).close();
            // The pid was reused in between: nothing to check.
        } catch (NoSuchProcessException e) {
            assertThat(e.pid()).isEqualTo(pid);
            assertThat(e.errnoName()).isEqualTo("ESRCH");
        }
    }

    @Test
    void withoutDemandTheChildStaysAZombieAndItsExitIsDeliveredWhenDemandComes() throws Exception {
        int pid = TestSpawn.sh("exit 7");
        try {
            RecordingSubscriber<ProcessExit> sub = watch(pid, 0);
            await().atMost(WAIT).until(() -> Processes.state(pid) == 'Z');
            // The exit waits in the kernel: still a zombie and nothing delivered a while later.
            await().pollDelay(Duration.ofMillis(100)).atMost(WAIT).until(() -> true);
            assertThat(Processes.state(pid)).isEqualTo('Z');
            assertThat(sub.items).isEmpty();
            assertThat(sub.done).isNotDone();
            sub.request(1);
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(sub.items).extracting(ProcessExit::status).containsExactly(new ProcessExit.Exited(7));
            assertThat(Processes.state(pid)).isEqualTo('-');
        } finally {
            TestSpawn.killAndReap(pid);
        }
    }

    @Test
    void cancelClosesThePidfdAndLeavesTheProcessAlone() throws Exception {
        int pid = TestSpawn.spawn("sleep", "30");
        try {
            Map<Integer, String> pidfdsBefore = OpenFds.snapshot();
            RecordingSubscriber<ProcessExit> sub = watch(pid, 1);
            await().atMost(WAIT).until(() -> OpenFds.countAnonSince(pidfdsBefore, "pidfd") == 1);
            sub.cancel();
            await().atMost(WAIT).until(() -> OpenFds.countAnonSince(pidfdsBefore, "pidfd") == 0);
            assertThat(sub.items).isEmpty();
            assertThat(Processes.state(pid)).isIn('S', 'R');
        } finally {
            TestSpawn.killAndReap(pid);
        }
        assertThat(Processes.state(pid)).isEqualTo('-');
    }

    @Test
    void manyChildrenAreWatchedAtOnceWithoutAThreadPerProcess() throws Exception {
        int n = 50;
        int[] pids = new int[n];
        int threadsBefore = Thread.activeCount();
        RecordingSubscriber<?>[] subs = new RecordingSubscriber<?>[n];
        try {
            for (int i = 0; i < n; i++) {
                pids[i] = TestSpawn.sh("sleep 0.2; exit " + i);
                subs[i] = watch(pids[i], 1);
            }
            assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore);
            for (int i = 0; i < n; i++) {
                subs[i].done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(subs[i].items).extracting(e -> ((ProcessExit) e).status())
                        .containsExactly(new ProcessExit.Exited(i));
                assertThat(Processes.state(pids[i])).isEqualTo('-');
            }
        } finally {
            for (int pid : pids) {
                if (pid > 0) {
                    TestSpawn.killAndReap(pid);
                }
            }
        }
    }
}
