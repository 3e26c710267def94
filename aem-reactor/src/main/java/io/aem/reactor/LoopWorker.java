package io.aem.reactor;

import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A worker of a {@link LoopScheduler}: its tasks run one at a time, in submission order for
 * tasks due at the same time, on the scheduler's loop thread. Disposing it cancels its pending
 * tasks (those waiting in the wheel free their entries) and makes it reject new ones with
 * {@code Exceptions.failWithRejected()}; it is also disposed with its scheduler.
 */
final class LoopWorker implements Scheduler.Worker {
    private final LoopScheduler scheduler;
    private final LoopTaskGroup tasks;

    LoopWorker(LoopScheduler scheduler, LoopTaskGroup tasks) {
        this.scheduler = scheduler;
        this.tasks = tasks;
    }

    LoopTaskGroup tasks() {
        return tasks;
    }

    @Override
    public Disposable schedule(Runnable task) {
        return tasks.schedule(task);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return tasks.schedule(task, delay, unit);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return tasks.schedulePeriodically(task, initialDelay, period, unit);
    }

    @Override
    public void dispose() {
        tasks.dispose();
        scheduler.forget(this);
    }

    @Override
    public boolean isDisposed() {
        return tasks.isDisposed();
    }

    @Override
    public String toString() {
        return "LoopWorker[" + tasks.loop().name() + (isDisposed() ? ", disposed]" : "]");
    }
}
