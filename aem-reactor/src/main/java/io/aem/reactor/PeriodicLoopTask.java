package io.aem.reactor;

import io.aem.linux.timer.LoopTimers;
import io.aem.linux.timer.TickHandler;
import java.util.concurrent.TimeUnit;

/**
 * A task that runs at a fixed rate from a periodic wheel entry. Ticks that fell due while the
 * loop was busy coalesce into one run (the wheel counts them; the task runs once per delivery).
 * An exception is reported and the task keeps its rate, as with Reactor's own periodic tasks.
 * Disposed only by cancellation or its group's disposal.
 */
final class PeriodicLoopTask extends LoopTask implements TickHandler {
    private final long periodNanos;

    PeriodicLoopTask(LoopTaskGroup group, Runnable task, long firstDeadlineNanos, long periodNanos) {
        super(group, task, INSERTING, firstDeadlineNanos);
        this.periodNanos = periodNanos;
    }

    @Override
    long insert(LoopTimers timers) {
        long initialDelay = Math.max(0, deadlineNanos - System.nanoTime());
        return timers.schedulePeriodic(this, initialDelay, periodNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    boolean holdsWheelEntry(int stateBeforeCancel) {
        return stateBeforeCancel == WAITING || stateBeforeCancel == RUNNING;
    }

    /** Nothing: a periodic task runs from the wheel, through {@link #onTick}; the queue only inserts or frees it. */
    @Override
    void fire() {
    }

    /** Loop thread, from the wheel: one run for however many periods elapsed. */
    @Override
    public void onTick(long expirations) {
        if (!transition(WAITING, RUNNING)) {
            removeFromWheel();
            return;
        }
        if (group.isDisposed()) {
            markCancelled();
            removeFromWheel();
            return;
        }
        runUserTask();
        if (!transition(RUNNING, WAITING)) {
            removeFromWheel();
        }
    }

    @Override
    public boolean isDisposed() {
        return state() == CANCELLED || group.isDisposed();
    }
}
