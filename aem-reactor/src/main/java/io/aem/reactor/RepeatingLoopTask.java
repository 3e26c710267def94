package io.aem.reactor;

import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.timer.LoopTimers;

/**
 * A periodic task with period 0: after an optional initial delay in the wheel, it runs and puts
 * itself back on the loop's queue, so it runs again as soon as the loop has served the events
 * and tasks that came meanwhile (Reactor's schedulers resubmit such a task to their executor the
 * same way). An exception is reported and stops the repetition, as in Reactor.
 */
final class RepeatingLoopTask extends LoopTask {
    private RepeatingLoopTask(LoopTaskGroup group, Runnable task, int initialState, long deadlineNanos) {
        super(group, task, initialState, deadlineNanos);
    }

    /** Starts through the loop's queue. */
    static RepeatingLoopTask immediate(LoopTaskGroup group, Runnable task) {
        return new RepeatingLoopTask(group, task, WAITING, 0);
    }

    /** Starts from the wheel at {@code deadlineNanos}. */
    static RepeatingLoopTask delayed(LoopTaskGroup group, Runnable task, long deadlineNanos) {
        return new RepeatingLoopTask(group, task, INSERTING, deadlineNanos);
    }

    @Override
    long insert(LoopTimers timers) {
        return timers.scheduleAt(this, deadlineNanos);
    }

    @Override
    boolean holdsWheelEntry(int stateBeforeCancel) {
        return stateBeforeCancel == WAITING;
    }

    @Override
    void fire() {
        if (!startRun()) {
            return;
        }
        if (!runUserTask()) {
            transition(RUNNING, DONE);
            return;
        }
        if (transition(RUNNING, WAITING)) {
            try {
                group.loop().execute(this);
            } catch (EventLoopClosedException closed) {
                markCancelled();
            }
        }
    }

    @Override
    public boolean isDisposed() {
        int s = state();
        return s == DONE || s == CANCELLED || group.isDisposed();
    }
}
