package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.timer.LoopTimers;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.scheduler.Schedulers;

/**
 * The tasks of one {@link LoopScheduler} (its direct tasks) or of one of its workers, on one
 * loop: makes them, puts delayed ones into the loop's wheel (at once on the loop thread, through
 * the loop's queue from another thread), keeps those waiting in the wheel in an intrusive list,
 * and on disposal refuses new tasks and cancels every waiting one, freeing its wheel entry.
 *
 * <p>A worker's group has the scheduler's group as parent and counts as disposed when the
 * parent is; a group also counts as disposed once its loop or the loop's wheel is closed. The list is touched on
 * the loop thread only; the disposed flag is read by any thread.
 */
final class LoopTaskGroup {
    /** The longest delay passed to the wheel, about 146 years, so that deadlines never overflow. */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE / 2;

    private final EventLoop loop;
    private final LoopTimersHolder timers;
    private final LoopTaskGroup parent;
    private volatile boolean disposed;

    // loop thread only
    private LoopTask first;
    private int waiting;

    LoopTaskGroup(LoopTimersHolder timers, LoopTaskGroup parent) {
        this.loop = timers.loop();
        this.timers = timers;
        this.parent = parent;
    }

    EventLoop loop() {
        return loop;
    }

    boolean isDisposed() {
        return disposed || timers.isClosed() || loop.isClosed() || (parent != null && parent.isDisposed());
    }

    /** Tasks of this group waiting in the wheel. Loop thread only; for tests and diagnostics. */
    int waiting() {
        return waiting;
    }

    LoopTimers timersOnLoop() {
        return timers.onLoop();
    }

    LoopTimers timersIfOpen() {
        return timers.ifOpen();
    }

    Disposable schedule(Runnable task) {
        Runnable decorated = accept(task);
        OneShotLoopTask t = OneShotLoopTask.immediate(this, decorated);
        loop.execute(t);
        return t;
    }

    Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        if (delay <= 0) {
            return schedule(task);
        }
        Runnable decorated = accept(task);
        OneShotLoopTask t = OneShotLoopTask.delayed(this, decorated, deadlineAfter(delay, unit));
        insert(t);
        return t;
    }

    Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        Runnable decorated = accept(task);
        if (period <= 0) {
            if (initialDelay <= 0) {
                RepeatingLoopTask t = RepeatingLoopTask.immediate(this, decorated);
                loop.execute(t);
                return t;
            }
            RepeatingLoopTask t = RepeatingLoopTask.delayed(this, decorated, deadlineAfter(initialDelay, unit));
            insert(t);
            return t;
        }
        PeriodicLoopTask t = new PeriodicLoopTask(this, decorated,
                deadlineAfter(Math.max(0, initialDelay), unit), Math.min(unit.toNanos(period), MAX_DELAY_NANOS));
        insert(t);
        return t;
    }

    private Runnable accept(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (isDisposed()) {
            throw Exceptions.failWithRejected();
        }
        return Schedulers.onSchedule(task);
    }

    private static long deadlineAfter(long delay, TimeUnit unit) {
        return System.nanoTime() + Math.min(unit.toNanos(delay), MAX_DELAY_NANOS);
    }

    private void insert(LoopTask t) {
        if (!loop.inEventLoop()) {
            loop.execute(t);
            return;
        }
        try {
            t.insertIntoWheel();
        } catch (EventLoopClosedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Exceptions.failWithRejected(e);
        }
    }

    /** Adds a task that has just been put into the wheel. Loop thread. */
    void link(LoopTask t) {
        t.inWheel = true;
        t.previous = null;
        t.next = first;
        if (first != null) {
            first.previous = t;
        }
        first = t;
        waiting++;
    }

    /** Removes a task that left the wheel. Loop thread. */
    void unlink(LoopTask t) {
        if (t.previous != null) {
            t.previous.next = t.next;
        } else {
            first = t.next;
        }
        if (t.next != null) {
            t.next.previous = t.previous;
        }
        t.previous = null;
        t.next = null;
        t.inWheel = false;
        waiting--;
    }

    /**
     * Refuses new tasks from now on and cancels every task waiting in the wheel (at once on the
     * loop thread, through the loop's queue from another). Tasks queued on the loop see the flag
     * and do not start. Any thread; idempotent.
     */
    void dispose() {
        if (disposed) {
            return;
        }
        disposed = true;
        if (loop.inEventLoop()) {
            cancelWaiting();
            return;
        }
        try {
            loop.execute(this::cancelWaiting);
        } catch (EventLoopClosedException closed) {
            // the wheel closed with the loop, and every entry with it
        }
    }

    private void cancelWaiting() {
        LoopTimers wheel = timers.ifOpen();
        boolean open = wheel != null && !wheel.isClosed();
        while (first != null) {
            LoopTask t = first;
            t.markCancelled();
            unlink(t);
            if (open) {
                wheel.cancel(t.handle);
            }
        }
    }
}
