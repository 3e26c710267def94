package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The expectations Reactor's own test base sets for every {@link Scheduler} (disposal of the
 * scheduler and of workers, rejection after disposal, delayed and periodic tasks, init after
 * disposal), checked against {@link LoopScheduler}, plus the error and hook routes Reactor's
 * schedulers follow.
 */
@ExtendWith(FdLeakCheck.class)
class LoopSchedulerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static Aem aem;
    private static EventLoop loop;
    private LoopScheduler scheduler;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
        loop = aem.loops().get(0);
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
        Schedulers.resetOnHandleError(LoopSchedulerTest.class.getName());
        Schedulers.resetOnScheduleHook(LoopSchedulerTest.class.getName());
    }

    /** Runs a task on the loop that holds it until the returned latch is released, and waits for it to start. */
    /**
     * Keeps the loop thread busy for {@code millis} from a task on it; returns when the hold has
     * begun, with the time it began.
     */
    private static long holdLoopFor(long millis) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        long[] from = new long[1];
        loop.execute(() -> {
            from[0] = System.nanoTime();
            started.countDown();
            long until = from[0] + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return from[0];
    }

    private static CountDownLatch holdLoop() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void aSchedulerNotYetInitialisedIsNotDisposed() {
        LoopScheduler fresh = new LoopScheduler(new LoopTimersHolder(loop));
        assertThat(fresh.isDisposed()).isFalse();
        fresh.dispose();
    }

    @Test
    void initCanBeCalledAgainWhileNotDisposed() {
        assertThatNoException().isThrownBy(scheduler::init);
        assertThatNoException().isThrownBy(scheduler::init);
        assertThat(scheduler.isDisposed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void initAfterDisposalThrowsIllegalState(boolean forced) {
        if (forced) {
            scheduler.dispose();
        } else {
            scheduler.disposeGracefully().block(PATIENCE);
        }
        assertThat(scheduler.isDisposed()).isTrue();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(scheduler::init)
                .withMessageContaining("disposed");
    }

    @Test
    @SuppressWarnings("deprecation")
    void theDeprecatedStartDoesNotRevive() {
        scheduler.dispose();
        scheduler.start();
        assertThat(scheduler.isDisposed()).isTrue();
        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> scheduler.schedule(() -> { }));
    }

    @Test
    void aDirectTaskRunsOnTheLoopAndIsNotDisposedWhileItRuns() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        Disposable task = scheduler.schedule(() -> {
            thread.set(Thread.currentThread());
            running.countDown();
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(task.isDisposed()).as("running").isFalse();
        finish.countDown();
        await().atMost(PATIENCE).until(task::isDisposed);
        assertThat(thread.get()).isSameAs(loop.thread());
        task.dispose();
        task.dispose();
    }

    @Test
    void aDisposedSchedulerRejectsEveryKindOfTask() {
        scheduler.dispose();
        scheduler.dispose();
        assertThat(scheduler.isDisposed()).isTrue();
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> scheduler.schedule(() -> { })).isSameAs(Exceptions.failWithRejected());
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> scheduler.schedule(() -> { }, 10, TimeUnit.MILLISECONDS)).isSameAs(Exceptions.failWithRejected());
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> scheduler.schedulePeriodically(() -> { }, 10, 10, TimeUnit.MILLISECONDS));
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> scheduler.schedulePeriodically(() -> { }, 0, 0, TimeUnit.MILLISECONDS));
        Scheduler.Worker worker = scheduler.createWorker();
        assertThat(worker.isDisposed()).isTrue();
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> worker.schedule(() -> { })).isSameAs(Exceptions.failWithRejected());
    }

    @Test
    void disposingTheSchedulerRejectsOnItsLiveWorkersToo() {
        Scheduler.Worker worker = scheduler.createWorker();
        assertThat(worker.isDisposed()).isFalse();
        scheduler.dispose();
        assertThat(worker.isDisposed()).isTrue();
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> worker.schedule(() -> { }, 5, TimeUnit.MILLISECONDS)).isSameAs(Exceptions.failWithRejected());
    }

    @Test
    void disposingAWorkerCancelsItsQueuedTasksAndRejectsNewOnes() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch release = holdLoop();
        List<Disposable> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(worker.schedule(ran::incrementAndGet));
            queued.add(worker.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS));
        }
        worker.dispose();
        worker.dispose();
        assertThat(worker.isDisposed()).isTrue();
        assertThat(queued).allMatch(Disposable::isDisposed);
        release.countDown();
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 0);
        LoopProbe.drainTasks(loop);
        assertThat(ran).hasValue(0);
        assertThat(((LoopWorker) worker).tasks().waiting()).isZero();
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> worker.schedule(() -> { })).isSameAs(Exceptions.failWithRejected());
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> worker.schedulePeriodically(() -> { }, 1, 1, TimeUnit.MILLISECONDS)).isSameAs(Exceptions.failWithRejected());
    }

    @Test
    void disposingOneWorkerLeavesTheSchedulerAndOtherWorkersRunning() throws Exception {
        Scheduler.Worker disposed = scheduler.createWorker();
        Scheduler.Worker other = scheduler.createWorker();
        disposed.dispose();
        CountDownLatch ran = new CountDownLatch(2);
        other.schedule(ran::countDown, 5, TimeUnit.MILLISECONDS);
        scheduler.schedule(ran::countDown, 5, TimeUnit.MILLISECONDS);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(other.isDisposed()).isFalse();
        assertThat(scheduler.isDisposed()).isFalse();
    }

    @Test
    void aDelayedTaskIsNotDisposedWhileItRunsAndCanBeDisposedThen() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Disposable task = scheduler.schedule(() -> {
            running.countDown();
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 10, TimeUnit.MILLISECONDS);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(task.isDisposed()).isFalse();
        task.dispose();
        assertThat(task.isDisposed()).isTrue();
        finish.countDown();
        scheduler.dispose();
        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> scheduler.schedule(() -> { }));
    }

    @Test
    void delayedTasksNeverRunBeforeTheirDelayFromAnyThread() throws Exception {
        int count = 40;
        CountDownLatch done = new CountDownLatch(2 * count);
        ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        Runnable scheduleAll = () -> {
            for (int i = 0; i < count; i++) {
                long delayMillis = 1 + (i * 7L) % 60;
                long start = System.nanoTime();
                scheduler.schedule(() -> {
                    long waited = System.nanoTime() - start;
                    if (waited < TimeUnit.MILLISECONDS.toNanos(delayMillis)) {
                        early.add(delayMillis + " ms task ran after " + waited + " ns on " + Thread.currentThread().getName());
                    }
                    done.countDown();
                }, delayMillis, TimeUnit.MILLISECONDS);
            }
        };
        scheduleAll.run();
        loop.execute(scheduleAll);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(early).isEmpty();
    }

    @Test
    void aPeriodicTaskRunsRepeatedlyAtItsRateAndStopsWhenDisposed() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        long start = System.nanoTime();
        Disposable periodic = scheduler.schedulePeriodically(runs::incrementAndGet, 20, 10, TimeUnit.MILLISECONDS);
        assertThat(periodic.isDisposed()).isFalse();
        await().atMost(PATIENCE).until(() -> runs.get() >= 5);
        assertThat(System.nanoTime() - start).as("five runs need the initial delay and four periods")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
        periodic.dispose();
        assertThat(periodic.isDisposed()).isTrue();
        LoopProbe.drainTasks(loop);
        int afterDispose = runs.get();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == afterDispose);
    }

    @Test
    void periodsMissedWhileTheLoopWasBusyCoalesceIntoOneRun() throws Exception {
        ConcurrentLinkedQueue<Long> runs = new ConcurrentLinkedQueue<>();
        Disposable periodic = scheduler.schedulePeriodically(() -> runs.add(System.nanoTime()), 0, 5, TimeUnit.MILLISECONDS);
        await().atMost(PATIENCE).until(() -> runs.size() >= 2);
        long heldFrom = holdLoopFor(100);
        long heldUntil = heldFrom + TimeUnit.MILLISECONDS.toNanos(100);
        await().atMost(PATIENCE).until(() -> runs.stream().filter(t -> t >= heldUntil).count() >= 10);
        periodic.dispose();
        long burst = runs.stream().filter(t -> t >= heldFrom && t < heldUntil + TimeUnit.MILLISECONDS.toNanos(4)).count();
        assertThat(burst).as("about 20 periods went by while the loop was held; they are not run back to back")
                .isLessThanOrEqualTo(3);
        assertThat(runs.stream().filter(t -> t >= heldUntil).count()).as("the rate goes on afterwards").isGreaterThanOrEqualTo(10);
    }

    @Test
    void periodicTasksStopWhenTheSchedulerOrTheirWorkerIsDisposed() throws Exception {
        AtomicInteger direct = new AtomicInteger();
        AtomicInteger onWorker = new AtomicInteger();
        Scheduler.Worker worker = scheduler.createWorker();
        Disposable d1 = scheduler.schedulePeriodically(direct::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
        Disposable d2 = worker.schedulePeriodically(onWorker::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
        await().atMost(PATIENCE).until(() -> direct.get() >= 2 && onWorker.get() >= 2);
        worker.dispose();
        assertThat(d2.isDisposed()).isTrue();
        LoopProbe.drainTasks(loop);
        int workerRuns = onWorker.get();
        await().atMost(PATIENCE).until(() -> direct.get() >= 4);
        assertThat(onWorker).hasValue(workerRuns);
        scheduler.dispose();
        assertThat(d1.isDisposed()).isTrue();
        LoopProbe.drainTasks(loop);
        int directRuns = direct.get();
        await().during(Duration.ofMillis(60)).atMost(Duration.ofSeconds(5)).until(() -> direct.get() == directRuns);
        assertThat(LoopProbe.onLoop(loop, () -> aem.timers(loop).pending())).isZero();
    }

    @Test
    void periodZeroRunsAgainAsSoonAsPossibleLettingOtherTasksInAndStopsWhenDisposed() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger othersDuringRuns = new AtomicInteger();
        Disposable repeating = scheduler.schedulePeriodically(runs::incrementAndGet, 0, 0, TimeUnit.MILLISECONDS);
        await().atMost(PATIENCE).until(() -> runs.get() >= 1000);
        CountDownLatch other = new CountDownLatch(1);
        scheduler.schedule(() -> {
            othersDuringRuns.incrementAndGet();
            other.countDown();
        });
        assertThat(other.await(10, TimeUnit.SECONDS)).as("another task gets a turn").isTrue();
        repeating.dispose();
        assertThat(repeating.isDisposed()).isTrue();
        LoopProbe.drainTasks(loop);
        int stopped = runs.get();
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == stopped);
    }

    @Test
    void periodZeroWithAnInitialDelayWaitsForItFirst() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        long start = System.nanoTime();
        AtomicReference<Long> firstRun = new AtomicReference<>();
        Disposable repeating = scheduler.schedulePeriodically(() -> {
            firstRun.compareAndSet(null, System.nanoTime() - start);
            runs.incrementAndGet();
        }, 30, 0, TimeUnit.MILLISECONDS);
        await().atMost(PATIENCE).until(() -> runs.get() >= 10);
        repeating.dispose();
        assertThat(firstRun.get()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void aWorkersTasksRunOneAtATimeInSubmissionOrder() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        int count = 2000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int n = i;
            worker.schedule(() -> {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                order.add(n);
                concurrent.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(maxConcurrent).hasValue(1);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
        worker.dispose();
    }

    @Test
    void aWorkersDelayedTasksRunInDeadlineOrder() throws Exception {
        Scheduler.Worker worker = scheduler.createWorker();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(3);
        worker.schedule(() -> { order.add(3); done.countDown(); }, 60, TimeUnit.MILLISECONDS);
        worker.schedule(() -> { order.add(2); done.countDown(); }, 30, TimeUnit.MILLISECONDS);
        worker.schedule(() -> { order.add(1); done.countDown(); });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly(1, 2, 3);
        worker.dispose();
    }

    @Test
    void aDelayedTaskCancelledBeforeItRunsNeverRunsFromEitherThread() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Disposable offLoop = scheduler.schedule(ran::incrementAndGet, 40, TimeUnit.MILLISECONDS);
        offLoop.dispose();
        assertThat(offLoop.isDisposed()).isTrue();
        Disposable onLoop = LoopProbe.onLoop(loop, () -> {
            Disposable d = scheduler.schedule(ran::incrementAndGet, 40, TimeUnit.MILLISECONDS);
            d.dispose();
            return d;
        });
        assertThat(onLoop.isDisposed()).isTrue();
        Disposable later = scheduler.schedule(ran::incrementAndGet, 40, TimeUnit.MILLISECONDS);
        LoopProbe.drainTasks(loop); // handed over and in the wheel
        later.dispose();
        await().during(Duration.ofMillis(120)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 0);
        LoopProbe.drainTasks(loop);
        assertThat(ran).hasValue(0);
        assertThat(LoopProbe.onLoop(loop, () -> aem.timers(loop).pending())).isZero();
    }

    @Test
    void taskErrorsReachTheOnHandleErrorHookOnTheLoopThreadAndNothingStops() throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
        Schedulers.onHandleError(LoopSchedulerTest.class.getName(), (thread, error) -> {
            threads.add(thread);
            errors.add(error);
        });
        AtomicInteger periodicRuns = new AtomicInteger();
        scheduler.schedule(() -> {
            throw new IllegalStateException("direct");
        });
        scheduler.schedule(() -> {
            throw new IllegalStateException("delayed");
        }, 5, TimeUnit.MILLISECONDS);
        scheduler.createWorker().schedule(() -> {
            throw new IllegalStateException("worker");
        });
        Disposable periodic = scheduler.schedulePeriodically(() -> {
            if (periodicRuns.incrementAndGet() == 1) {
                throw new IllegalStateException("periodic");
            }
        }, 1, 5, TimeUnit.MILLISECONDS);
        // Reactor hands each error to the thread's uncaught-exception handler too, which Awaitility would take as its own failure
        await().dontCatchUncaughtExceptions().atMost(PATIENCE).until(() -> errors.size() == 4 && periodicRuns.get() >= 3);
        periodic.dispose();
        assertThat(errors).extracting(Throwable::getMessage).containsExactlyInAnyOrder("direct", "delayed", "worker", "periodic");
        assertThat(threads).containsOnly(loop.thread());
        CountDownLatch stillRuns = new CountDownLatch(1);
        scheduler.schedule(stillRuns::countDown, 1, TimeUnit.MILLISECONDS);
        assertThat(stillRuns.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.isDisposed()).isFalse();
    }

    @Test
    void everyTaskPassesThroughTheOnScheduleHookOnce() throws Exception {
        AtomicInteger decorated = new AtomicInteger();
        AtomicInteger decoratedRuns = new AtomicInteger();
        Schedulers.onScheduleHook(LoopSchedulerTest.class.getName(), task -> {
            decorated.incrementAndGet();
            return () -> {
                decoratedRuns.incrementAndGet();
                task.run();
            };
        });
        CountDownLatch ran = new CountDownLatch(3);
        scheduler.schedule(ran::countDown);
        scheduler.schedule(ran::countDown, 2, TimeUnit.MILLISECONDS);
        scheduler.createWorker().schedule(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(decorated).hasValue(3);
        assertThat(decoratedRuns).hasValue(3);
    }

    @Test
    void disposeGracefullyCompletesOnceTheRunningTaskHasFinished() throws Exception {
        CountDownLatch release = holdLoop();
        CompletableFuture<Void> disposed = scheduler.disposeGracefully().toFuture();
        assertThat(scheduler.isDisposed()).isTrue();
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !disposed.isDone());
        release.countDown();
        disposed.get(10, TimeUnit.SECONDS);
        scheduler.disposeGracefully().block(PATIENCE);
    }

    @Test
    void closingTheAemDisposesItsSchedulers() {
        Aem own = Aem.create(1);
        LoopScheduler onOwn = own.scheduler(own.loops().get(0));
        RoundRobinLoopScheduler all = own.scheduler();
        own.close();
        assertThat(onOwn.isDisposed()).isTrue();
        assertThat(all.isDisposed()).isTrue();
        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> onOwn.schedule(() -> { }));
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(onOwn::init);
    }
}
