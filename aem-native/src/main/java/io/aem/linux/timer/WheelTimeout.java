package io.aem.linux.timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A wheel timer that any thread may create and cancel ({@link LoopTimers#newTimeout},
 * {@link LoopTimers#newPeriodic}); the handle-based methods of {@link LoopTimers} are the cheaper
 * path on the loop thread.
 *
 * <p>A one-shot timeout runs its task once on the loop thread, not before its deadline, unless
 * {@link #cancel()} wins the race first; a periodic one runs it once per period (late periods
 * coalesce into one run) until cancelled. Cancelling from the loop thread frees the wheel entry
 * at once; from another thread the removal is handed to the loop, and the task is guaranteed
 * not to start after {@code cancel()} returned {@code true}.
 *
 * <p>Costs one object of this class plus the wheel entry (24 bytes) and, from another thread,
 * one task handed to the loop per schedule and per cancel.
 */
public final class WheelTimeout {
    private static final int PENDING = 0;
    private static final int EXPIRED = 1;
    private static final int CANCELLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WheelTimeout.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoopTimers timers;
    private final Runnable task;
    private final long deadlineNanos;
    private final long periodNanos;
    @SuppressWarnings("unused")
    private volatile int state;
    /** The wheel handle, set on the loop thread once inserted; {@code 0} before. */
    private long handle;

    WheelTimeout(LoopTimers timers, Runnable task, long deadlineNanos, long periodNanos) {
        this.timers = timers;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.periodNanos = periodNanos;
    }

    /** The (first) deadline on the {@link System#nanoTime()} clock. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** The period in nanoseconds, {@code 0} for a one-shot timeout. */
    public long periodNanos() {
        return periodNanos;
    }

    /**
     * Stops the timer. Any thread; idempotent.
     *
     * @return {@code true} if this call stopped it: a one-shot task had not started, a periodic
     *         one will not start again; {@code false} if it was already cancelled or its one-shot
     *         task had started
     */
    public boolean cancel() {
        if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
            return false;
        }
        timers.remove(this);
        return true;
    }

    /** Whether {@link #cancel()} stopped it. */
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /** Whether a one-shot timeout's task has started. A periodic one never expires. */
    public boolean isExpired() {
        return state == EXPIRED;
    }

    Runnable task() {
        return task;
    }

    long handle() {
        return handle;
    }

    void handle(long handle) {
        this.handle = handle;
    }

    /** Claims a one-shot run: {@code false} if it was cancelled first. */
    boolean claimRun() {
        return STATE.compareAndSet(this, PENDING, EXPIRED);
    }

    @Override
    public String toString() {
        String s = switch (state) {
            case PENDING -> "pending";
            case EXPIRED -> "expired";
            default -> "cancelled";
        };
        return "WheelTimeout[" + s + (periodNanos > 0 ? ", every " + periodNanos + " ns]" : "]");
    }
}
