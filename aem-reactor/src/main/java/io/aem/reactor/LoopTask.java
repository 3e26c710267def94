package io.aem.reactor;

import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.timer.LoopTimers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import reactor.core.Disposable;

/**
 * A task of a {@link LoopTaskGroup}: the user's runnable (already passed through
 * {@code Schedulers.onSchedule}), its state, and, while it waits in the loop's timer wheel, the
 * wheel's handle and its place in the group's list of waiting tasks. The same object is the
 * {@link Runnable} handed to the loop and to the wheel, and the {@link Disposable} returned to the
 * caller, so scheduling allocates nothing else.
 *
 * <p>The state is the only field shared between threads; the handle and the links are read and
 * written on the loop thread only. Cancelling from another thread flips the state and, if the
 * task holds a wheel entry, hands the removal of that entry to the loop.
 */
abstract class LoopTask implements Runnable, Disposable {
    /** Created off the loop, handed to the loop to be put into the wheel. */
    static final int INSERTING = 0;
    /** Queued on the loop, or waiting in the wheel. */
    static final int WAITING = 1;
    static final int RUNNING = 2;
    static final int DONE = 3;
    static final int CANCELLED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LoopTaskGroup group;
    final Runnable task;
    /** When the wheel should fire it first, on the {@link System#nanoTime()} clock. */
    final long deadlineNanos;
    private volatile int state;

    // loop thread only
    long handle;
    boolean inWheel;
    LoopTask previous;
    LoopTask next;

    LoopTask(LoopTaskGroup group, Runnable task, int initialState, long deadlineNanos) {
        this.group = group;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.state = initialState;
    }

    /** Puts the task into the wheel and returns the wheel's handle. Loop thread. */
    abstract long insert(LoopTimers timers);

    /** Whether a task cancelled in this state still has an entry in the wheel to remove. */
    abstract boolean holdsWheelEntry(int stateBeforeCancel);

    final int state() {
        return state;
    }

    final boolean transition(int from, int to) {
        return STATE.compareAndSet(this, from, to);
    }

    final void markCancelled() {
        state = CANCELLED;
    }

    /**
     * Puts a task in state {@link #INSERTING} into the wheel and the group's waiting list; a task
     * whose group is disposed is cancelled instead. Loop thread.
     *
     * @throws RuntimeException if the wheel cannot be opened
     */
    final void insertIntoWheel() {
        if (group.isDisposed()) {
            transition(INSERTING, CANCELLED);
            return;
        }
        handle = insert(group.timersOnLoop());
        group.link(this);
        if (!transition(INSERTING, WAITING)) {
            removeFromWheel();
        }
    }

    /**
     * {@link #insertIntoWheel()} for a task that came through the loop's queue: a failure to open
     * the wheel is reported; a wheel closed by the Aem meanwhile just cancels the task.
     */
    final void insertHandedOver() {
        try {
            insertIntoWheel();
        } catch (EventLoopClosedException closing) {
            markCancelled();
        } catch (RuntimeException e) {
            markCancelled();
            TaskErrors.report(e);
        }
    }

    /** Cancels the wheel entry and leaves the group's list, if the task is still there. Loop thread. */
    final void removeFromWheel() {
        if (inWheel) {
            group.unlink(this);
            LoopTimers timers = group.timersIfOpen();
            if (timers != null && !timers.isClosed()) {
                timers.cancel(handle);
            }
        }
    }

    /**
     * Loop thread, through the loop's queue or the wheel: inserts a handed-over task, runs a due
     * one ({@link #fire()}), or frees a cancelled one's entry.
     */
    @Override
    public void run() {
        switch (state()) {
            case INSERTING -> insertHandedOver();
            case WAITING -> fire();
            case CANCELLED -> removeFromWheel();
            default -> { }
        }
    }

    /** A due task: runs it once or more, by kind. Loop thread. */
    abstract void fire();

    /**
     * The start of a due task's run: leaves the group's waiting list and moves to
     * {@link #RUNNING}, unless it was cancelled meanwhile or its group was disposed (then it is
     * cancelled). Loop thread.
     *
     * @return whether the user's task may run now
     */
    final boolean startRun() {
        if (inWheel) {
            group.unlink(this);
        }
        if (!transition(WAITING, RUNNING)) {
            return false;
        }
        if (group.isDisposed()) {
            markCancelled();
            return false;
        }
        return true;
    }

    /** Runs the user's task, reporting what it throws. */
    final boolean runUserTask() {
        try {
            task.run();
            return true;
        } catch (Throwable error) {
            TaskErrors.report(error);
            return false;
        }
    }

    /**
     * Cancels the task: it will not start (a running one finishes, a periodic one does not run
     * again) and its wheel entry is freed, at once on the loop thread and through the loop's
     * queue from another thread. Any thread; idempotent.
     */
    @Override
    public final void dispose() {
        for (;;) {
            int s = state;
            if (s == DONE || s == CANCELLED) {
                return;
            }
            if (transition(s, CANCELLED)) {
                if (holdsWheelEntry(s)) {
                    requestRemoval();
                }
                return;
            }
        }
    }

    private void requestRemoval() {
        if (group.loop().inEventLoop()) {
            removeFromWheel();
            return;
        }
        try {
            group.loop().execute(this);
        } catch (EventLoopClosedException closed) {
            // the loop's wheel closed with the loop, and every entry with it
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[state=" + state + ", task=" + task + "]";
    }
}
