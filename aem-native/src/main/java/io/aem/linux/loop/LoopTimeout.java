package io.aem.linux.loop;

/**
 * A task scheduled on an {@link EventLoop} with {@link EventLoop#schedule}: runs once on the loop
 * thread, not before its deadline, unless cancelled first.
 *
 * <p>{@link #cancel()} may be called from any thread; a task cancelled before the loop reached
 * its deadline never runs. A cancelled timeout stays in the loop's deadline heap until the loop
 * next purges it (at most until its deadline, or sooner when cancelled timeouts outnumber live
 * ones), holding only this object.
 */
public final class LoopTimeout implements Comparable<LoopTimeout> {
    private final Runnable task;
    private final long deadlineNanos;
    private final long sequence;
    private volatile boolean cancelled;

    LoopTimeout(Runnable task, long deadlineNanos, long sequence) {
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.sequence = sequence;
    }

    /** The deadline, on the {@link System#nanoTime()} clock. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Prevents the task from running if it has not started. Any thread; idempotent. */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    Runnable task() {
        return task;
    }

    /** Earlier deadline first; equal deadlines in scheduling order. */
    @Override
    public int compareTo(LoopTimeout other) {
        int c = Long.compare(deadlineNanos - other.deadlineNanos, 0);
        return c != 0 ? c : Long.compare(sequence, other.sequence);
    }

    @Override
    public String toString() {
        return "LoopTimeout[deadline " + deadlineNanos + (cancelled ? ", cancelled]" : "]");
    }
}
