package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Process exits from {@code tp_btf/sched_process_exit}, filtered to this JVM's children, on the real kernel (root). */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfProcessExitsTest {
    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-exits-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    @Test
    void exitCodeOfAChild() throws Exception {
        QueueingSubscriber<ProcessExitEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()))), Long.MAX_VALUE);
        Process child = new ProcessBuilder("sh", "-c", "exit 42").start();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        ProcessExitEvent.Exited exit = (ProcessExitEvent.Exited) BpfTesting.next(sub,
                e -> e instanceof ProcessExitEvent.Exited x && x.pid() == child.pid());
        assertThat(exit.exitedNormally()).isTrue();
        assertThat(exit.exitCode()).isEqualTo(42);
        assertThat(exit.signal()).isZero();
        assertThat(exit.coreDumped()).isFalse();
        assertThat(exit.parentPid()).isEqualTo(BpfTesting.self());
        assertThat(exit.tid()).isEqualTo(exit.pid());
        assertThat(exit.command()).isEqualTo("sh");
        assertThat(exit.timestampNanos()).isPositive().isLessThan(start);
        sub.subscription.join().cancel();
    }

    @Test
    void signalOfAKilledChild() throws Exception {
        QueueingSubscriber<ProcessExitEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()))), Long.MAX_VALUE);
        Process child = new ProcessBuilder("sleep", "100").start();
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        ProcessExitEvent.Exited exit = (ProcessExitEvent.Exited) BpfTesting.next(sub,
                e -> e instanceof ProcessExitEvent.Exited x && x.pid() == child.pid());
        assertThat(exit.exitedNormally()).isFalse();
        assertThat(exit.signal()).isEqualTo(9);
        assertThat(exit.exitCode()).isEqualTo(-1);
        assertThat(exit.coreDumped()).isFalse();
        assertThat(exit.command()).isEqualTo("sleep");
        sub.subscription.join().cancel();
    }

    @Test
    void exitsOfOtherProcessesAreFilteredInTheKernel() throws Exception {
        QueueingSubscriber<ProcessExitEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()))), Long.MAX_VALUE);
        // A grandchild: its parent is the shell, not this JVM.
        Process child = new ProcessBuilder("sh", "-c", "sh -c 'exit 7'; exit 3").start();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        ProcessExitEvent.Exited exit = (ProcessExitEvent.Exited) BpfTesting.next(sub,
                e -> e instanceof ProcessExitEvent.Exited x && x.pid() == child.pid());
        assertThat(exit.exitCode()).isEqualTo(3);
        BpfTesting.barrier(loop);
        assertThat(sub.items).allSatisfy(e -> assertThat(((ProcessExitEvent.Exited) e).parentPid()).isEqualTo(BpfTesting.self()));
        sub.subscription.join().cancel();
    }

    @Test
    void aProcessWhoseThreadsExitTogetherIsReportedOnce() throws Exception {
        QueueingSubscriber<ProcessExitEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()))), Long.MAX_VALUE);
        java.util.List<Long> pids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Process child = new ProcessBuilder(BpfTesting.python3(), "-c", "import os, threading\n"
                    + "go = threading.Event()\n"
                    + "for _ in range(8):\n"
                    + "    threading.Thread(target=go.wait).start()\n"
                    + "os._exit(5)\n").start();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(5);
            pids.add(child.pid());
        }
        // A marker exit after the others: once it arrived, every record before it has too (one ring, in order).
        Process marker = new ProcessBuilder("sh", "-c", "exit 0").start();
        assertThat(marker.waitFor(20, TimeUnit.SECONDS)).isTrue();
        java.util.List<ProcessExitEvent> seen = new java.util.ArrayList<>();
        BpfTesting.next(sub, e -> {
            seen.add(e);
            return e instanceof ProcessExitEvent.Exited x && x.pid() == marker.pid();
        });
        seen.addAll(sub.items);
        for (long pid : pids) {
            assertThat(seen).as("exits of pid " + pid)
                    .filteredOn(e -> e instanceof ProcessExitEvent.Exited x && x.pid() == pid)
                    .singleElement()
                    .satisfies(e -> assertThat(((ProcessExitEvent.Exited) e).exitCode()).isEqualTo(5));
        }
        sub.subscription.join().cancel();
    }
}
