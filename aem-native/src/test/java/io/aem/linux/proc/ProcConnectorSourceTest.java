package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ThreadCapabilities;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Process events of children this test starts, seen on the proc connector stream of the real kernel. */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class ProcConnectorSourceTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final int CAP_NET_ADMIN = 12;
    private static final long SELF = ProcessHandle.current().pid();
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("procconn-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    /** Subscribes and returns once the socket listens: a task queued after the open has run. */
    static RecordingSubscriber<ProcEvent> listen(EventLoop on, ProcessEvents options, long initialRequest)
            throws Exception {
        RecordingSubscriber<ProcEvent> sub = new RecordingSubscriber<>(initialRequest);
        new SourcePublisher<>(on, new ProcConnectorSource(options)).subscribe(sub);
        barrier(on);
        return sub;
    }

    static void barrier(EventLoop on) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        on.execute(() -> done.complete(null));
        done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static List<ProcEvent> of(RecordingSubscriber<ProcEvent> sub, int pid) {
        return sub.items.stream().filter(e -> pidOf(e) == pid).toList();
    }

    static int pidOf(ProcEvent e) {
        if (e instanceof ProcEvent.Fork f) {
            return f.childPid();
        } else if (e instanceof ProcEvent.Exec x) {
            return x.pid();
        } else if (e instanceof ProcEvent.Exit x) {
            return x.pid();
        } else if (e instanceof ProcEvent.Comm c) {
            return c.pid();
        } else if (e instanceof ProcEvent.Uid u) {
            return u.pid();
        } else if (e instanceof ProcEvent.Gid g) {
            return g.pid();
        } else if (e instanceof ProcEvent.Coredump c) {
            return c.pid();
        }
        return -1;
    }

    static ProcEvent.Exit awaitExit(RecordingSubscriber<ProcEvent> sub, int pid) {
        await().atMost(WAIT).until(() -> of(sub, pid).stream().anyMatch(e -> e instanceof ProcEvent.Exit));
        return (ProcEvent.Exit) of(sub, pid).stream().filter(e -> e instanceof ProcEvent.Exit).findFirst().orElseThrow();
    }

    /** Waits for the child to end and reaps it (it ends on its own in these tests). */
    static void reap(int pid) {
        try (com.sun.jna.Memory info = new com.sun.jna.Memory(io.aem.linux.sys.Pidfd.SIGINFO_SIZE)) {
            io.aem.linux.sys.Pidfd.waitid(io.aem.linux.sys.Pidfd.P_PID, pid, info, io.aem.linux.sys.Pidfd.WEXITED);
        }
        TestSpawn.killAndReap(pid);
        assertThat(Processes.state(pid)).as("child %d reaped", pid).isEqualTo('-');
    }

    @Test
    void forkExecCommAndExitOfAChildArriveInOrderWithKernelTimestamps() throws Exception {
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        long before = System.nanoTime();
        int pid = TestSpawn.sh("printf newname > /proc/self/comm; exec sleep 0");
        try {
            ProcEvent.Exit exit = awaitExit(sub, pid);
            List<ProcEvent> events = of(sub, pid);
            System.out.println("events of child " + pid + ": " + events);
            assertThat(events.get(0)).isInstanceOfSatisfying(ProcEvent.Fork.class, f -> {
                assertThat(f.parentTgid()).isEqualTo(SELF);
                assertThat(f.childTgid()).isEqualTo(pid);
            });
            assertThat(events).filteredOn(e -> e instanceof ProcEvent.Exec).hasSize(2); // /bin/sh, then sleep
            assertThat(events).contains(new ProcEvent.Comm(commOf(events).cpu(), commOf(events).timestampNanos(), pid, pid, "newname"));
            assertThat(exit.tgid()).isEqualTo(pid);
            assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(0));
            assertThat(exit.exitSignal()).isEqualTo(17);
            assertThat(exit.parentTgid()).isEqualTo((int) SELF);
            assertThat(events.get(events.size() - 1)).isEqualTo(exit);
            long now = System.nanoTime();
            assertThat(events).allSatisfy(e -> assertThat(timestamp(e)).isBetween(before, now));
            assertThat(sub.threads).containsOnly("procconn-test");
        } finally {
            reap(pid);
            sub.cancel();
        }
    }

    private static ProcEvent.Comm commOf(List<ProcEvent> events) {
        return (ProcEvent.Comm) events.stream().filter(e -> e instanceof ProcEvent.Comm).findFirst()
                .orElseThrow(() -> new AssertionError("no comm event in " + events));
    }

    private static long timestamp(ProcEvent e) {
        if (e instanceof ProcEvent.Fork f) {
            return f.timestampNanos();
        } else if (e instanceof ProcEvent.Exec x) {
            return x.timestampNanos();
        } else if (e instanceof ProcEvent.Comm c) {
            return c.timestampNanos();
        } else if (e instanceof ProcEvent.Exit x) {
            return x.timestampNanos();
        }
        throw new AssertionError("unexpected " + e);
    }

    @Test
    void exitCodeSevenIsExitedSeven() throws Exception {
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        int pid = TestSpawn.sh("exit 7");
        try {
            assertThat(awaitExit(sub, pid).status()).isEqualTo(new ProcessExit.Exited(7));
        } finally {
            reap(pid);
            sub.cancel();
        }
    }

    @Test
    void sigkillIsKilledNine() throws Exception {
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        int pid = TestSpawn.spawn("sleep", "30");
        try (ProcessHandleFd handle = ProcessHandleFd.open(pid)) {
            assertThat(handle.sendSignal(9)).isTrue();
            assertThat(awaitExit(sub, pid).status()).isEqualTo(new ProcessExit.Killed(9));
        } finally {
            reap(pid);
            sub.cancel();
        }
    }

    @Test
    void uidAndGidChangesAreSeen() throws Exception {
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeThat(setpriv).as("util-linux setpriv is needed to change ids without installing anything else").isNotNull();
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        int pid = TestSpawn.spawn(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "true");
        try {
            awaitExit(sub, pid);
            List<ProcEvent> events = of(sub, pid);
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ProcEvent.Uid.class, u -> {
                assertThat(u.ruid()).isEqualTo(65534);
                assertThat(u.euid()).isEqualTo(65534);
            }));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ProcEvent.Gid.class, g -> {
                assertThat(g.rgid()).isEqualTo(65534);
                assertThat(g.egid()).isEqualTo(65534);
            }));
        } finally {
            reap(pid);
            sub.cancel();
        }
    }

    @Test
    void aSegfaultAllowedToDumpSendsCoredumpThenExitDumped(@TempDir Path dir) throws Exception {
        String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        int pid = TestSpawn.sh("cd '" + dir + "' && ulimit -c unlimited && kill -SEGV $$");
        try {
            ProcEvent.Exit exit = awaitExit(sub, pid);
            System.out.println("core_pattern '" + pattern + "': exit " + exit.status());
            assertThat(of(sub, pid)).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ProcEvent.Coredump.class,
                    c -> assertThat(c.parentTgid()).isEqualTo((int) SELF)));
            if (!pattern.startsWith("|") && !pattern.contains("/") && !pattern.isEmpty()) {
                assertThat(exit.status()).isEqualTo(new ProcessExit.Dumped(11));
            } else {
                assertThat(exit.status()).isIn(new ProcessExit.Killed(11), new ProcessExit.Dumped(11));
            }
        } finally {
            reap(pid);
            sub.cancel();
        }
    }

    @Test
    void theKernelFilterDeliversOnlyTheKindsAskedFor() throws Exception {
        assumeThat(ProcConnectorSocket.kernelFilters()).as("the kernel event filter needs Linux 6.6").isTrue();
        RecordingSubscriber<ProcEvent> all = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        RecordingSubscriber<ProcEvent> exits = listen(loop, ProcessEvents.of(ProcEventKind.EXIT), Long.MAX_VALUE);
        int pid = TestSpawn.sh("exit 7");
        try {
            awaitExit(exits, pid);
            awaitExit(all, pid);
            assertThat(of(all, pid)).hasAtLeastOneElementOfType(ProcEvent.Fork.class)
                    .hasAtLeastOneElementOfType(ProcEvent.Exec.class);
            assertThat(exits.items).allMatch(e -> e instanceof ProcEvent.Exit);
            assertThat(of(exits, pid)).hasSize(1);
        } finally {
            reap(pid);
            all.cancel();
            exits.cancel();
        }
    }

    @Test
    void withoutDemandAFullBufferBecomesOneLostEventAndTheStreamGoesOn() throws Exception {
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all().receiveBuffer(1), 0);
        try {
            for (int i = 0; i < 200; i++) {
                reap(TestSpawn.sh("exit 0"));
            }
            sub.request(Long.MAX_VALUE);
            await().atMost(WAIT).until(() -> sub.items.stream().anyMatch(e -> e instanceof ProcEvent.Lost));
            // The buffer stays tiny, so a later burst may overflow it again even with demand:
            // start children until the exit of one of them arrives after the first loss.
            int lostAt = indexOfLost(sub.items);
            ProcEvent.Exit after = null;
            for (int i = 0; i < 20 && after == null; i++) {
                int pid = TestSpawn.sh("exit 5");
                reap(pid);
                try {
                    await().atMost(Duration.ofSeconds(1)).until(() -> !of(sub, pid).isEmpty()
                            && of(sub, pid).stream().anyMatch(e -> e instanceof ProcEvent.Exit));
                    after = awaitExit(sub, pid);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    System.out.println("exit of child " + pid + " not seen (lost again), trying another");
                }
            }
            assertThat(after).as("an exit after the loss").isNotNull();
            assertThat(after.status()).isEqualTo(new ProcessExit.Exited(5));
            assertThat(sub.items.indexOf(after)).isGreaterThan(lostAt);
            // Read the Lost events first: the loss is counted before its event is delivered, and
            // the tiny buffer may overflow again while the test runs.
            long lostEvents = sub.items.stream().filter(e -> e instanceof ProcEvent.Lost).count();
            long lost = loop.streams().stream().filter(s -> s.sourceName().startsWith("proc connector"))
                    .mapToLong(s -> s.lost()).sum();
            System.out.println("200 children without demand: " + sub.items.size() + " events delivered, "
                    + lostEvents + " Lost, lost() = " + lost + ", first Lost at index " + lostAt);
            assertThat(lostEvents).isGreaterThanOrEqualTo(1);
            assertThat(lost).isGreaterThanOrEqualTo(lostEvents);
        } finally {
            sub.cancel();
        }
    }

    private static int indexOfLost(List<ProcEvent> items) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof ProcEvent.Lost) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void cancelSaysIgnoreAndClosesTheSocket() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<ProcEvent> sub = listen(loop, ProcessEvents.all(), Long.MAX_VALUE);
        assertThat(sockets(before)).isEqualTo(2); // the socket and the duplicate the loop reads
        sub.cancel();
        await().atMost(WAIT).until(() -> sockets(before) == 0);
        assertThat(sub.done).isNotDone();
    }

    static long sockets(Map<Integer, String> before) {
        return OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("socket:")).count();
    }

    @Test
    void loopCloseEndsTheStreamWithEventLoopClosedException() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        EventLoop own = EventLoop.open("procconn-closing");
        RecordingSubscriber<ProcEvent> sub = listen(own, ProcessEvents.all(), Long.MAX_VALUE);
        own.close();
        try {
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected an error");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(EventLoopClosedException.class);
        }
        assertThat(sockets(before)).isZero();
    }

    @Test
    void aBufferAboveRmemMaxWithoutCapNetAdminIsMissingPrivilegeNamingIt() throws Exception {
        long rmemMax = Long.parseLong(io.aem.linux.sys.Limits.readProc("/proc/sys/net/core/rmem_max"));
        EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("procconn-no-netadmin")
                .withThreadFactory(ThreadCapabilities.factoryWithout(CAP_NET_ADMIN, "procconn-no-netadmin")));
        try {
            RecordingSubscriber<ProcEvent> sub = listen(unprivileged,
                    ProcessEvents.all().receiveBuffer((int) Math.min(Integer.MAX_VALUE, rmemMax * 2)), 1);
            try {
                sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("expected an error");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOfSatisfying(MissingPrivilegeException.class,
                        m -> assertThat(m.privilege()).isEqualTo("CAP_NET_ADMIN"))
                        .hasMessageContaining("net.core.rmem_max").hasMessageContaining("procconn-no-netadmin");
            }
        } finally {
            unprivileged.close();
        }
    }

    /**
     * Since Linux 6.6 joining the process-event group needs no privilege: a loop thread without
     * {@code CAP_NET_ADMIN} receives events. (Before 6.6 the bind answers {@code EPERM}, which
     * the source reports as {@link MissingPrivilegeException} naming {@code CAP_NET_ADMIN}.)
     */
    @Test
    void aLoopThreadWithoutCapNetAdminListensOnKernelsFrom66() throws Exception {
        assumeThat(ProcConnectorSocket.kernelFilters()).as("unprivileged listeners need Linux 6.6").isTrue();
        EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("procconn-no-netadmin-2")
                .withThreadFactory(ThreadCapabilities.factoryWithout(CAP_NET_ADMIN, "procconn-no-netadmin-2")));
        try {
            CompletableFuture<Boolean> has = new CompletableFuture<>();
            unprivileged.execute(() -> has.complete(ThreadCapabilities.has(CAP_NET_ADMIN)));
            assertThat(has.get()).isFalse();
            RecordingSubscriber<ProcEvent> sub = listen(unprivileged, ProcessEvents.of(ProcEventKind.EXIT), Long.MAX_VALUE);
            int pid = TestSpawn.sh("exit 3");
            try {
                assertThat(awaitExit(sub, pid).status()).isEqualTo(new ProcessExit.Exited(3));
            } finally {
                reap(pid);
                sub.cancel();
            }
        } finally {
            unprivileged.close();
        }
    }
}
