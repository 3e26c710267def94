package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.aem.linux.testing.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.scheduler.Scheduler;

/** {@link Aem#scheduler()}: tasks and workers spread over the loops in turn. */
@ExtendWith(FdLeakCheck.class)
class RoundRobinLoopSchedulerTest {
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(3);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    private static Thread threadOf(Scheduler.Worker worker, long delayMillis) throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        worker.schedule(() -> ran.complete(Thread.currentThread()), delayMillis, TimeUnit.MILLISECONDS);
        return ran.get(10, TimeUnit.SECONDS);
    }

    @Test
    void directTasksGoToTheLoopsInTurn() throws Exception {
        RoundRobinLoopScheduler scheduler = aem.scheduler();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            if (i % 2 == 0) {
                scheduler.schedule(() -> ran.complete(Thread.currentThread()));
            } else {
                scheduler.schedule(() -> ran.complete(Thread.currentThread()), 2, TimeUnit.MILLISECONDS);
            }
            threads.add(ran.get(10, TimeUnit.SECONDS));
        }
        List<Thread> loops = aem.loops().stream().map(l -> l.thread()).toList();
        assertThat(threads.subList(0, 3)).containsExactlyInAnyOrderElementsOf(loops);
        assertThat(threads.subList(3, 6)).isEqualTo(threads.subList(0, 3));
        scheduler.dispose();
    }

    @Test
    void eachWorkerStaysOnItsLoopAndWorkersSpreadOverTheLoops() throws Exception {
        RoundRobinLoopScheduler scheduler = aem.scheduler();
        List<Thread> workerThreads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Scheduler.Worker worker = scheduler.createWorker();
            Thread first = threadOf(worker, 0);
            assertThat(threadOf(worker, 3)).isSameAs(first);
            assertThat(threadOf(worker, 0)).isSameAs(first);
            workerThreads.add(first);
            worker.dispose();
        }
        assertThat(workerThreads).doesNotHaveDuplicates();
        scheduler.dispose();
    }

    @Test
    void disposeDisposesEveryLoopsSchedulerAndLeavesTheLoopsRunning() {
        RoundRobinLoopScheduler scheduler = aem.scheduler();
        Scheduler.Worker worker = scheduler.createWorker();
        assertThat(scheduler.schedulers()).hasSize(3);
        scheduler.dispose();
        assertThat(scheduler.isDisposed()).isTrue();
        assertThat(scheduler.schedulers()).allMatch(LoopScheduler::isDisposed);
        assertThat(worker.isDisposed()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> scheduler.schedule(() -> { }));
        }
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(scheduler::init);
        assertThat(aem.isDisposed()).isFalse();
        assertThat(aem.scheduler().isDisposed()).isFalse();
    }

    @Test
    void disposeGracefullyCompletesForEveryLoop() {
        RoundRobinLoopScheduler scheduler = aem.scheduler();
        scheduler.disposeGracefully().block(java.time.Duration.ofSeconds(10));
        assertThat(scheduler.isDisposed()).isTrue();
    }
}
