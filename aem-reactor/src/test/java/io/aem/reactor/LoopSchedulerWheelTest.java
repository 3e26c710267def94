package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.timer.LoopTimers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * What a {@link LoopScheduler} leaves in its loop's timer wheel: cancelled tasks, disposed
 * workers and a disposed scheduler free their entries, from either thread.
 */
@ExtendWith(FdLeakCheck.class)
class LoopSchedulerWheelTest {
    private static final int TASKS = 10_000;

    private static Aem aem;
    private static EventLoop loop;
    private static LoopTimers timers;
    private LoopScheduler scheduler;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
        loop = aem.loops().get(0);
        timers = aem.timers(loop);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @BeforeEach
    void newScheduler() {
        scheduler = aem.scheduler(loop);
    }

    @AfterEach
    void disposeScheduler() {
        scheduler.dispose();
    }

    private static int pending() {
        return LoopProbe.onLoop(loop, timers::pending);
    }

    /** Delays from 1 to 1000 ms, so that some tasks are due while the others are cancelled. */
    private static long delayMillis(int i) {
        return 1 + (i * 37L) % 1000;
    }

    @Test
    void tenThousandDelayedTasksCancelledMidFlightFromAnotherThreadLeaveNothingInTheWheel() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        List<Disposable> tasks = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            tasks.add(scheduler.schedule(ran::incrementAndGet, delayMillis(i), TimeUnit.MILLISECONDS));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() > 0);
        tasks.forEach(Disposable::dispose);
        LoopProbe.drainTasks(loop);
        int ranBeforeCancel = ran.get();
        assertThat(ranBeforeCancel).as("some ran before the cancel, not all").isBetween(1, TASKS - 1);
        assertThat(pending()).isZero();
        assertThat(tasks).allMatch(Disposable::isDisposed);
        await().during(Duration.ofMillis(250)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == ranBeforeCancel);
    }

    @Test
    void tenThousandDelayedTasksCancelledMidFlightOnTheLoopThreadLeaveNothingInTheWheel() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        List<Disposable> tasks = LoopProbe.onLoop(loop, () -> {
            List<Disposable> scheduled = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                scheduled.add(scheduler.schedule(ran::incrementAndGet, delayMillis(i), TimeUnit.MILLISECONDS));
            }
            return scheduled;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() > 0);
        int left = LoopProbe.onLoop(loop, () -> {
            tasks.forEach(Disposable::dispose);
            return timers.pending();
        });
        assertThat(left).as("freed at once on the loop thread").isZero();
        int ranBeforeCancel = ran.get();
        await().during(Duration.ofMillis(250)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == ranBeforeCancel);
    }

    @Test
    void disposingAWorkerFreesTheEntriesOfItsTenThousandDelayedTasks() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < TASKS; i++) {
            worker.schedule(ran::incrementAndGet, 100 + delayMillis(i), TimeUnit.MILLISECONDS);
        }
        Disposable kept = scheduler.schedule(ran::incrementAndGet, 10, TimeUnit.SECONDS);
        LoopProbe.drainTasks(loop);
        assertThat(pending()).isEqualTo(TASKS + 1);
        worker.dispose();
        LoopProbe.drainTasks(loop);
        assertThat(pending()).as("the scheduler's own task stays").isEqualTo(1);
        assertThat(LoopProbe.onLoop(loop, () -> ((LoopWorker) worker).tasks().waiting())).isZero();
        kept.dispose();
        assertThat(pending()).isZero();
        assertThat(ran).hasValue(0);
    }

    @Test
    void disposingTheSchedulerFreesEveryEntryOfItsOwnAndItsWorkersTasks() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < TASKS / 2; i++) {
            scheduler.schedule(ran::incrementAndGet, 100 + delayMillis(i), TimeUnit.MILLISECONDS);
            worker.schedule(ran::incrementAndGet, 100 + delayMillis(i), TimeUnit.MILLISECONDS);
        }
        scheduler.schedulePeriodically(ran::incrementAndGet, 1, 1, TimeUnit.SECONDS);
        worker.schedulePeriodically(ran::incrementAndGet, 1, 1, TimeUnit.SECONDS);
        LoopScheduler other = aem.scheduler(loop);
        Disposable othersTask = other.schedule(ran::incrementAndGet, 10, TimeUnit.SECONDS);
        LoopProbe.drainTasks(loop);
        assertThat(pending()).isEqualTo(TASKS + 3);
        scheduler.dispose();
        LoopProbe.drainTasks(loop);
        assertThat(pending()).as("another scheduler's task stays").isEqualTo(1);
        assertThat(othersTask.isDisposed()).isFalse();
        other.dispose();
        LoopProbe.drainTasks(loop);
        assertThat(pending()).isZero();
        assertThat(ran).hasValue(0);
    }

    @Test
    void periodicTasksCancelledFromEitherThreadFreeTheirEntries() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<Disposable> periodic = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            periodic.add(scheduler.schedulePeriodically(runs::incrementAndGet, i % 20, 1 + i % 7, TimeUnit.MILLISECONDS));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() > 0);
        for (int i = 0; i < 500; i++) {
            periodic.get(i).dispose();
        }
        LoopProbe.onLoop(loop, () -> {
            for (int i = 500; i < 1000; i++) {
                periodic.get(i).dispose();
            }
            return null;
        });
        assertThat(pending()).isZero();
        int stopped = runs.get();
        assertThat(stopped).isGreaterThan(1000);
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == stopped);
    }
}
