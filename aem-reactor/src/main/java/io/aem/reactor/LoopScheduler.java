package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A Reactor {@link Scheduler} whose tasks run on one AEM event loop and whose delays and periods
 * come from that loop's timer wheel ({@link io.aem.linux.timer.LoopTimers}): {@code Flux.interval},
 * {@code delayElements}, {@code timeout}, {@code publishOn} and the like run on the loop thread
 * with no other thread. Get one from {@link Aem#scheduler(EventLoop)} (or all loops round-robin
 * with {@link Aem#scheduler()}).
 *
 * <p><b>Tasks.</b> {@link #schedule(Runnable)} queues the task on the loop
 * ({@link EventLoop#execute}). A delayed task goes into the wheel: it never runs before its delay
 * and, when the loop is idle, runs within one wheel tick (about 0.52 ms) after it; a delay of 0
 * or less means now. A periodic task runs at a fixed rate from one wheel entry; periods that fell
 * due while the loop was busy coalesce into one run. A period of 0 or less makes the task run
 * again as soon as possible: it goes back on the loop's queue after each run, behind the events
 * and tasks that came meanwhile. Every task is passed through {@code Schedulers.onSchedule}
 * when scheduled. An exception a task throws goes to Reactor's error handling
 * ({@code Schedulers.handleError}: the thread's uncaught-exception handler or Reactor's log,
 * then the {@link reactor.core.scheduler.Schedulers#onHandleError} hook); the loop, the
 * scheduler and a periodic task go on (a period-0 task stops, as in Reactor).
 *
 * <p><b>Threading.</b> Any thread may schedule, cancel and dispose. On the loop thread a delayed
 * task goes into the wheel at once through its cheapest path; from another thread the insertion
 * is handed to the loop through its queue. Tasks run on the loop thread, one at a time, so a
 * {@link #createWorker() worker}'s tasks are serial as Reactor requires. Tasks must not block:
 * the loop thread is a {@link NonBlockingLoopThread}, where {@code block()} fails fast.
 *
 * <p><b>Disposal.</b> {@link #dispose()} makes the scheduler and its workers reject new tasks
 * with {@code Exceptions.failWithRejected()}, keeps queued tasks from starting and cancels the
 * tasks waiting in the wheel, freeing their entries; it does not close the loop or its wheel,
 * which belong to the {@link Aem}. Closing the Aem disposes the scheduler too. There is no
 * restart: {@link #init()} after disposal throws.
 *
 * <p><b>Costs.</b> Scheduling allocates one object of about 56 bytes (64 for a periodic task), which is the
 * {@link Runnable} given to the loop and the wheel and the {@link Disposable} returned; a wheel
 * entry adds what the wheel keeps (about 24 bytes). Cancelling on the loop thread frees the
 * entry at once; from another thread it costs one hand-over to the loop. No thread of its own.
 */
public final class LoopScheduler implements Scheduler {
    private final LoopTimersHolder timers;
    private final LoopTaskGroup direct;
    private final Set<LoopWorker> workers = ConcurrentHashMap.newKeySet();

    LoopScheduler(LoopTimersHolder timers) {
        this.timers = timers;
        this.direct = new LoopTaskGroup(timers, null);
    }

    /** The loop the tasks run on. */
    public EventLoop loop() {
        return timers.loop();
    }

    /**
     * Runs the task on the loop thread as soon as the loop gets to it.
     *
     * @param task the task
     * @return cancels it if it has not started
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is disposed or
     *                                                         the loop closed
     */
    @Override
    public Disposable schedule(Runnable task) {
        return direct.schedule(task);
    }

    /**
     * Runs the task on the loop thread after the delay, from the loop's timer wheel; see the class
     * documentation for precision. A delay of 0 or less is {@link #schedule(Runnable)}.
     *
     * @param task  the task
     * @param delay the delay
     * @param unit  its unit
     * @return cancels it and frees its wheel entry if it has not started
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is disposed, the
     *                                                         loop closed, or (on the loop
     *                                                         thread) the wheel cannot be opened
     */
    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return direct.schedule(task, delay, unit);
    }

    /**
     * Runs the task at a fixed rate on the loop thread, first after {@code initialDelay}. A period
     * of 0 or less runs it again as soon as possible after each run.
     *
     * @param task         the task
     * @param initialDelay the delay before the first run
     * @param period       the period
     * @param unit         the unit of both
     * @return stops it and frees its wheel entry
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is disposed or
     *                                                         the loop closed
     */
    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return direct.schedulePeriodically(task, initialDelay, period, unit);
    }

    /**
     * The current time as Reactor's schedulers give it: the wall clock in milliseconds for
     * milliseconds and coarser units (for {@code timestamp()} and {@code elapsed()}), the
     * {@link System#nanoTime()} clock of the wheel's deadlines for finer units.
     */
    @Override
    public long now(TimeUnit unit) {
        return Scheduler.super.now(unit);
    }

    /**
     * A worker on this scheduler's loop. After disposal of the scheduler the worker is already
     * disposed and rejects every task. Any thread; costs one small object and a set entry.
     */
    @Override
    public Worker createWorker() {
        LoopWorker worker = new LoopWorker(this, new LoopTaskGroup(timers, direct));
        workers.add(worker);
        if (direct.isDisposed()) {
            worker.dispose();
        }
        return worker;
    }

    void forget(LoopWorker worker) {
        workers.remove(worker);
    }

    /**
     * Opens the loop's timer wheel if the Aem has not yet (off the loop thread this waits for the
     * loop to open it), so that the first delayed task does not pay for it. Calling it again is
     * harmless.
     *
     * @throws IllegalStateException           if the scheduler is disposed or its loop closed
     * @throws java.io.UncheckedIOException    wrapping the kernel's refusal of the timerfd
     */
    @Override
    public void init() {
        if (isDisposed()) {
            throw new IllegalStateException("LoopScheduler on loop '" + loop().name() + "' is disposed and cannot be restarted");
        }
        timers.get();
    }

    /**
     * Rejects new tasks from now on, keeps queued tasks from starting and cancels every task
     * waiting in the wheel, this scheduler's and its workers'. Leaves the loop and its wheel
     * running. Any thread; idempotent.
     */
    @Override
    public void dispose() {
        direct.dispose();
        workers.forEach(LoopWorker::dispose);
    }

    /**
     * {@link #dispose()}, then completes (on the loop thread) once no task of this scheduler runs
     * any more: when the loop has finished whatever it was running when the disposal was asked.
     * Each subscription disposes (idempotent) and waits again.
     *
     * @return completes when the loop has passed the disposal; never fails
     */
    @Override
    public Mono<Void> disposeGracefully() {
        return Mono.defer(() -> {
            dispose();
            EventLoop loop = loop();
            if (loop.isClosed()) {
                return Mono.<Void>empty();
            }
            return Mono.<Void>create(sink -> {
                try {
                    loop.execute(sink::success);
                } catch (RejectedExecutionException closed) {
                    sink.success();
                }
            });
        });
    }

    /** Whether {@link #dispose()} was called or the loop is closed. */
    @Override
    public boolean isDisposed() {
        return direct.isDisposed();
    }

    @Override
    public String toString() {
        return "LoopScheduler[" + loop().name() + (isDisposed() ? ", disposed]" : "]");
    }
}
