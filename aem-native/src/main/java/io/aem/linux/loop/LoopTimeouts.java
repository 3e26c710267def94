package io.aem.linux.loop;

import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deadline heap of one loop: tasks that run on the loop thread after a delay, without a
 * timer fd or another thread. The loop sleeps in {@code epoll_wait} at most until the earliest
 * deadline (rounded up to the next millisecond, so a task never runs early) and runs what is due
 * after each wait. Loop thread only, but for {@link #create}. Costs {@code O(log n)} per schedule and per run; fit for
 * the short grace periods and quiet periods of event sources, not for millions of timers.
 */
final class LoopTimeouts {
    private final PriorityQueue<LoopTimeout> heap = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Makes the handle; any thread. */
    LoopTimeout create(Runnable task, long deadlineNanos) {
        return new LoopTimeout(task, deadlineNanos, sequence.getAndIncrement());
    }

    /** Adds it to the heap; loop thread. A timeout cancelled meanwhile is dropped. */
    void insert(LoopTimeout t) {
        if (!t.isCancelled()) {
            heap.add(t);
        }
    }

    /** The {@code epoll_wait} timeout in milliseconds until the earliest live deadline; {@code -1} for none. */
    int waitMillis(long now) {
        LoopTimeout first;
        while ((first = heap.peek()) != null && first.isCancelled()) {
            heap.poll();
        }
        if (first == null) {
            return -1;
        }
        long remaining = first.deadlineNanos() - now;
        if (remaining <= 0) {
            return 0;
        }
        long millis = (remaining + 999_999) / 1_000_000;
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /** Takes the next task due at {@code now}, or {@code null}. */
    LoopTimeout pollDue(long now) {
        for (;;) {
            LoopTimeout first = heap.peek();
            if (first == null || first.deadlineNanos() - now > 0) {
                return null;
            }
            heap.poll();
            if (!first.isCancelled()) {
                return first;
            }
        }
    }

    int size() {
        return heap.size();
    }

    void clear() {
        heap.clear();
    }
}
