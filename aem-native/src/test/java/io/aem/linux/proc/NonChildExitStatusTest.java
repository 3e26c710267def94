package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.NetworkNamespaces;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit status of a process that is not this JVM's child (a grandchild): from the loop's
 * process connector where it is available, {@link ProcessExit.UnknownStatus} where it is not.
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class NonChildExitStatusTest {
    private static EventLoop loop;
    private static EventLoop isolated;

    @BeforeAll
    static void startLoops() throws Exception {
        loop = EventLoop.open("nonchild-test");
        isolated = EventLoop.open(EventLoopOptions.defaults().withName("nonchild-netns")
                .withThreadFactory(NetworkNamespaces.factoryInNewNamespace("nonchild-netns")));
    }

    @AfterAll
    static void stopLoops() {
        loop.close();
        isolated.close();
    }

    /** A child shell whose own child runs the script; returns {shell pid, grandchild pid}. */
    private static int[] grandchild(Path dir, String script) throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        int shell = TestSpawn.sh("sh -c '" + script + "' & echo $! > '" + pidFile + "'.tmp && mv '" + pidFile
                + "'.tmp '" + pidFile + "'; wait");
        await().atMost(ProcConnectorSourceTest.WAIT).until(() -> Files.exists(pidFile));
        return new int[] {shell, Integer.parseInt(Files.readString(pidFile).trim())};
    }

    /** A script prefix that waits until {@link #release} created the go file of {@code dir}. */
    private static String gated(Path dir) {
        return "while [ ! -e " + dir.resolve("go") + " ]; do sleep 0.01; done; ";
    }

    /** Lets the gated grandchildren of {@code dir} go on, once the watches queued on {@code on} are open. */
    private static void release(EventLoop on, Path dir) throws Exception {
        ProcConnectorSourceTest.barrier(on);
        Files.createFile(dir.resolve("go"));
    }

    /** Watches a gated grandchild: the watch opens before it is released to exit. */
    private static ProcessExit watch(EventLoop on, int pid, Path dir) throws Exception {
        RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(on, new ProcessExitSource(pid)).subscribe(sub);
        release(on, dir);
        sub.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).hasSize(1);
        assertThat(sub.items.get(0).pid()).isEqualTo(pid);
        return sub.items.get(0);
    }

    @Test
    void aGrandchildExitingWithSevenIsExitedSevenThroughTheConnector(@TempDir Path dir) throws Exception {
        assertThat(ProcessExitSource.nonChildStatusAvailable(loop).get(10, TimeUnit.SECONDS)).isTrue();
        Map<Integer, String> before = OpenFds.snapshot();
        int[] pids = grandchild(dir, gated(dir) + "exit 7");
        try {
            assertThat(watch(loop, pids[1], dir).status()).isEqualTo(new ProcessExit.Exited(7));
        } finally {
            ProcConnectorSourceTest.reap(pids[0]);
        }
        // The loop's shared connector socket closes with its last watch.
        await().atMost(ProcConnectorSourceTest.WAIT).until(() -> ProcConnectorSourceTest.sockets(before) == 0);
    }

    /**
     * Twenty grandchildren exiting with codes 1..20 at about the same moment: each watch gets its
     * own code, which shows that the exit message is in the connector socket by the time the
     * pidfd turns readable (the kernel queues it in {@code do_exit} before {@code exit_notify}).
     */
    @Test
    void twentyGrandchildrenEachGetTheirOwnCode(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pids");
        // Each grandchild waits for the go file, created once every watch is open.
        int shell = TestSpawn.sh("for i in $(seq 1 20); do sh -c \"" + gated(dir) + "exit $i\" & echo $! >> '"
                + pidFile + "'.tmp; done; mv '" + pidFile + "'.tmp '" + pidFile + "'; wait");
        try {
            await().atMost(ProcConnectorSourceTest.WAIT).until(() -> Files.exists(pidFile));
            List<Integer> pids = Files.readAllLines(pidFile).stream().map(String::trim).map(Integer::parseInt).toList();
            assertThat(pids).hasSize(20);
            List<RecordingSubscriber<ProcessExit>> subs = new ArrayList<>();
            for (int pid : pids) {
                RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
                new SourcePublisher<>(loop, new ProcessExitSource(pid)).subscribe(sub);
                subs.add(sub);
            }
            release(loop, dir);
            for (int i = 0; i < subs.size(); i++) {
                subs.get(i).done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(subs.get(i).items).extracting(ProcessExit::status)
                        .as("grandchild %d", pids.get(i)).containsExactly(new ProcessExit.Exited(i + 1));
            }
        } finally {
            ProcConnectorSourceTest.reap(shell);
        }
    }

    @Test
    void aKilledGrandchildIsKilledNineThroughTheConnector(@TempDir Path dir) throws Exception {
        int[] pids = grandchild(dir, "exec sleep 30");
        try {
            RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
            new SourcePublisher<>(loop, new ProcessExitSource(pids[1])).subscribe(sub);
            ProcConnectorSourceTest.barrier(loop);
            try (ProcessHandleFd h = ProcessHandleFd.open(pids[1])) {
                h.sendSignal(9);
            }
            sub.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(sub.items).extracting(ProcessExit::status).containsExactly(new ProcessExit.Killed(9));
        } finally {
            ProcConnectorSourceTest.reap(pids[0]);
        }
    }

    @Test
    void twoWatchesOfOneGrandchildBothGetTheStatus(@TempDir Path dir) throws Exception {
        int[] pids = grandchild(dir, gated(dir) + "exit 9");
        try {
            RecordingSubscriber<ProcessExit> a = new RecordingSubscriber<>(1);
            RecordingSubscriber<ProcessExit> b = new RecordingSubscriber<>(1);
            new SourcePublisher<>(loop, new ProcessExitSource(pids[1])).subscribe(a);
            new SourcePublisher<>(loop, new ProcessExitSource(pids[1])).subscribe(b);
            release(loop, dir);
            a.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
            b.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.items).extracting(ProcessExit::status).containsExactly(new ProcessExit.Exited(9));
            assertThat(b.items).extracting(ProcessExit::status).containsExactly(new ProcessExit.Exited(9));
        } finally {
            ProcConnectorSourceTest.reap(pids[0]);
        }
    }

    @Test
    void cancellingTheLastNonChildWatchClosesTheSharedSocket(@TempDir Path dir) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        int[] pids = grandchild(dir, "exec sleep 30");
        try {
            RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
            new SourcePublisher<>(loop, new ProcessExitSource(pids[1])).subscribe(sub);
            ProcConnectorSourceTest.barrier(loop);
            assertThat(ProcConnectorSourceTest.sockets(before)).isEqualTo(1);
            sub.cancel();
            await().atMost(ProcConnectorSourceTest.WAIT).until(() -> ProcConnectorSourceTest.sockets(before) == 0);
            assertThat(sub.items).isEmpty();
        } finally {
            try (ProcessHandleFd h = ProcessHandleFd.open(pids[1])) {
                h.sendSignal(9);
            }
            ProcConnectorSourceTest.reap(pids[0]);
        }
    }

    @Test
    void loopCloseEndsALiveNonChildWatchAndClosesTheSharedSocket(@TempDir Path dir) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        EventLoop own = EventLoop.open("nonchild-closing");
        int[] pids = grandchild(dir, "exec sleep 30");
        try {
            RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
            new SourcePublisher<>(own, new ProcessExitSource(pids[1])).subscribe(sub);
            ProcConnectorSourceTest.barrier(own);
            own.close();
            try {
                sub.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("expected an error");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(io.aem.linux.loop.EventLoopClosedException.class);
            }
            assertThat(ProcConnectorSourceTest.sockets(before)).isZero();
        } finally {
            try (ProcessHandleFd h = ProcessHandleFd.open(pids[1])) {
                h.sendSignal(9);
            }
            ProcConnectorSourceTest.reap(pids[0]);
        }
    }

    @Test
    void aChildStillGetsItsStatusFromWaitidAndIsReaped(@TempDir Path dir) throws Exception {
        int pid = TestSpawn.sh(gated(dir) + "exit 4");
        try {
            assertThat(watch(loop, pid, dir).status()).isEqualTo(new ProcessExit.Exited(4));
            assertThat(Processes.state(pid)).isEqualTo('-');
        } finally {
            TestSpawn.killAndReap(pid);
        }
    }

    @Test
    void withoutTheConnectorAGrandchildExitIsUnknownStatusNeverAMadeUpCode(@TempDir Path dir) throws Exception {
        assertThat(ProcessExitSource.nonChildStatusAvailable(isolated).get(10, TimeUnit.SECONDS)).isFalse();
        int[] pids = grandchild(dir, gated(dir) + "exit 7");
        try {
            assertThat(watch(isolated, pids[1], dir).status()).isEqualTo(new ProcessExit.UnknownStatus());
        } finally {
            ProcConnectorSourceTest.reap(pids[0]);
        }
    }

    @Test
    void theConnectorStreamOutsideTheInitialNetworkNamespaceIsUnsupportedNamingTheRemedy() throws Exception {
        RecordingSubscriber<ProcEvent> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(isolated, new ProcConnectorSource()).subscribe(sub);
        try {
            sub.done.get(ProcConnectorSourceTest.WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected an error");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UnsupportedKernelFeatureException.class)
                    .hasMessageContaining("ECONNREFUSED").hasMessageContaining("initial network namespace");
        }
    }
}
