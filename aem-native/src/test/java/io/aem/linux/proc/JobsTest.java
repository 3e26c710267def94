package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class JobsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("jobs-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static <T> RecordingSubscriber<JobExit<T>> run(EventsPublisher<T> events,
            java.util.function.Function<? super T, ProcessSpec> command, int concurrency, long initialRequest) {
        RecordingSubscriber<JobExit<T>> sub = new RecordingSubscriber<>(initialRequest);
        Jobs.run(loop, events, command, concurrency).subscribe(sub);
        return sub;
    }

    private static void awaitDone(RecordingSubscriber<?> sub) throws Exception {
        try {
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // the recorded error is asserted by the caller
        }
    }

    /** A job that waits until the test creates {@code go-<n>} in the test's directory, after saying it started. */
    private ProcessSpec gated(int n) {
        return ProcessSpec.of("/bin/sh", "-c",
                "touch started-" + n + "; while [ ! -e go-" + n + " ]; do sleep 0.01; done; exit " + n)
                .withDirectory(dir);
    }

    private long started() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("started-")).count();
        }
    }

    private void open(int n) throws IOException {
        Files.createFile(dir.resolve("go-" + n));
    }

    private static void awaitGone(List<Long> pids) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (long pid : pids) {
                assertThat(Processes.state(pid)).as("job %d ended and reaped", pid).isEqualTo('-');
            }
        });
    }

    @Test
    void eachEventStartsOneProcessBuiltFromTheEvent() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events,
                n -> ProcessSpec.of("/bin/sh", "-c", "exit " + n), 2, Long.MAX_VALUE);
        events.push(3, 0, 42, 7);
        events.complete();
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Map<Integer, ProcessExit.Status> byEvent = new HashMap<>();
        for (JobExit<Integer> e : sub.items) {
            byEvent.put(e.event(), e.exit().status());
            assertThat(Processes.state(e.exit().pid())).isEqualTo('-');
        }
        assertThat(byEvent).containsOnly(Map.entry(3, new ProcessExit.Exited(3)), Map.entry(0, new ProcessExit.Exited(0)),
                Map.entry(42, new ProcessExit.Exited(42)), Map.entry(7, new ProcessExit.Exited(7)));
        assertThat(sub.threads).containsOnly("jobs-test");
    }

    @Test
    void noMoreThanConcurrencyJobsRunAtOnceAndUpstreamIsAskedOnlyForFreeSlots() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events, this::gated, 2, Long.MAX_VALUE);
        events.push(1, 2, 3, 4, 5);
        events.complete();
        await().atMost(WAIT).until(() -> started() == 2);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> started() == 2);
        assertThat(events.requested.get()).isEqualTo(2);
        open(1);
        await().atMost(WAIT).until(() -> started() == 3);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> started() == 3);
        assertThat(events.requested.get()).isEqualTo(3);
        for (int n = 2; n <= 5; n++) {
            open(n);
        }
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).extracting(JobExit::event).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(sub.items.get(0).event()).isEqualTo(1);
    }

    @Test
    void withoutDownstreamDemandFinishedJobsHoldTheirSlots() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events, n -> ProcessSpec.of("/bin/sh", "-c", "exit " + n), 2, 1);
        events.push(1, 2, 3, 4, 5, 6);
        events.complete();
        await().atMost(WAIT).until(() -> sub.items.size() == 1);
        // One delivered, one slot freed and refilled: 3 asked; then two finished exits wait for
        // demand and hold both slots, so nothing more is asked.
        await().atMost(WAIT).until(() -> events.requested.get() == 3);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> events.requested.get() == 3 && sub.items.size() == 1);
        sub.request(100);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).extracting(JobExit::event).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        assertThat(events.requested.get()).isLessThanOrEqualTo(6 + 2);
    }

    @Test
    void aJobsOutputPipesAreDiscardedSoAChattyJobNeverBlocks() throws Exception {
        EventsPublisher<String> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<String>> sub = run(events,
                s -> ProcessSpec.of("/bin/sh", "-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2")
                        .withStdout(Redirect.PIPE).withStderr(Redirect.PIPE),
                1, Long.MAX_VALUE);
        events.push("chatty");
        events.complete();
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).singleElement().satisfies(e -> assertThat(e.exit().isSuccess()).isTrue());
    }

    @Test
    void aSpawnFailureEndsTheStreamWithItsTypedErrorAndStopsTheRunningJobs() throws Exception {
        String marker = "31." + UUID.randomUUID().toString().replaceAll("[^0-9]", "").substring(0, 6);
        EventsPublisher<String> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<String>> sub = run(events,
                s -> s.equals("long") ? ProcessSpec.of("/bin/sleep", marker).withCancelPolicy(CancelPolicy.KILL)
                        : ProcessSpec.of("/nonexistent/aem-no-such-program"),
                2, Long.MAX_VALUE);
        events.push("long");
        await().atMost(WAIT).until(() -> Processes.childrenWith(marker).size() == 1);
        List<Long> pids = Processes.childrenWith(marker);
        events.push("missing");
        awaitDone(sub);
        assertThat(sub.error()).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("/nonexistent/aem-no-such-program");
        assertThat(events.cancelled).isTrue();
        awaitGone(pids);
        assertThat(sub.items).isEmpty();
    }

    @Test
    void cancelEndsTheRunningJobsByTheirPolicyAndCancelsUpstream() throws Exception {
        String marker = "32." + UUID.randomUUID().toString().replaceAll("[^0-9]", "").substring(0, 6);
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events,
                n -> ProcessSpec.of("/bin/sleep", marker).withCancelPolicy(CancelPolicy.KILL), 3, Long.MAX_VALUE);
        events.push(1, 2, 3, 4);
        await().atMost(WAIT).until(() -> Processes.childrenWith(marker).size() == 3);
        List<Long> pids = Processes.childrenWith(marker);
        sub.cancel();
        awaitGone(pids);
        assertThat(events.cancelled).isTrue();
        assertThat(events.requested.get()).isEqualTo(3);
        assertThat(sub.items).isEmpty();
        assertThat(sub.done).isNotDone();
    }

    @Test
    void anUpstreamErrorEndsTheStreamAndStopsTheRunningJobs() throws Exception {
        String marker = "33." + UUID.randomUUID().toString().replaceAll("[^0-9]", "").substring(0, 6);
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events,
                n -> ProcessSpec.of("/bin/sleep", marker).withCancelPolicy(CancelPolicy.TERMINATE), 2, Long.MAX_VALUE);
        events.push(1);
        await().atMost(WAIT).until(() -> Processes.childrenWith(marker).size() == 1);
        List<Long> pids = Processes.childrenWith(marker);
        IllegalStateException boom = new IllegalStateException("upstream broke");
        events.fail(boom);
        awaitDone(sub);
        assertThat(sub.error()).isSameAs(boom);
        awaitGone(pids);
    }

    @Test
    void aThrowingCommandEndsTheStreamWithItsException() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        IllegalArgumentException bad = new IllegalArgumentException("no command for 13");
        RecordingSubscriber<JobExit<Integer>> sub = run(events, n -> {
            throw bad;
        }, 1, Long.MAX_VALUE);
        events.push(13);
        awaitDone(sub);
        assertThat(sub.error()).isSameAs(bad);
        assertThat(events.cancelled).isTrue();
    }

    @Test
    void aRequestOfZeroEndsTheStreamWithIllegalArgumentException() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events, n -> ProcessSpec.of("/bin/true"), 1, 0);
        sub.request(0);
        awaitDone(sub);
        assertThat(sub.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
        assertThat(events.cancelled).isTrue();
    }

    @Test
    void aConcurrencyOutsideItsRangeIsRefusedNamingTheRange() {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        assertThatThrownBy(() -> Jobs.run(loop, events, n -> ProcessSpec.of("/bin/true"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..4096");
    }

    @Test
    void completesOnlyAfterTheLastExitWasDelivered() throws Exception {
        EventsPublisher<Integer> events = new EventsPublisher<>();
        RecordingSubscriber<JobExit<Integer>> sub = run(events, this::gated, 2, Long.MAX_VALUE);
        events.push(1);
        events.complete();
        await().atMost(WAIT).until(() -> started() == 1);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !sub.done.isDone());
        open(1);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).singleElement().satisfies(e -> assertThat(e.exit().status()).isEqualTo(new ProcessExit.Exited(1)));
    }
}
