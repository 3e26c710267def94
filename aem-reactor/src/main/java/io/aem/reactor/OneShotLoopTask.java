package io.aem.reactor;

import io.aem.linux.timer.LoopTimers;

/**
 * A task that runs once: at once through the loop's queue (created {@link #WAITING}), or after a
 * delay through the wheel (created {@link #INSERTING}, or inserted at once on the loop thread).
 * Disposed once it has run or been cancelled, or when its group is disposed.
 */
final class OneShotLoopTask extends LoopTask {
    private final boolean delayed;

    private OneShotLoopTask(LoopTaskGroup group, Runnable task, int initialState, long deadlineNanos, boolean delayed) {
        super(group, task, initialState, deadlineNanos);
        this.delayed = delayed;
    }

    /** A task for the loop's queue. */
    static OneShotLoopTask immediate(LoopTaskGroup group, Runnable task) {
        return new OneShotLoopTask(group, task, WAITING, 0, false);
    }

    /** A task for the wheel, due at {@code deadlineNanos} ({@link System#nanoTime()} clock). */
    static OneShotLoopTask delayed(LoopTaskGroup group, Runnable task, long deadlineNanos) {
        return new OneShotLoopTask(group, task, INSERTING, deadlineNanos, true);
    }

    @Override
    long insert(LoopTimers timers) {
        return timers.scheduleAt(this, deadlineNanos);
    }

    @Override
    boolean holdsWheelEntry(int stateBeforeCancel) {
        return stateBeforeCancel == WAITING && delayed;
    }

    @Override
    void fire() {
        if (startRun()) {
            runUserTask();
            transition(RUNNING, DONE);
        }
    }

    @Override
    public boolean isDisposed() {
        int s = state();
        return s == DONE || s == CANCELLED || group.isDisposed();
    }
}
