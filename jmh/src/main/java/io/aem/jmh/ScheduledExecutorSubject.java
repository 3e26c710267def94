package io.aem.jmh;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code ScheduledThreadPoolExecutor} with one thread as a {@link TimerSubject}, with
 * {@code setRemoveOnCancelPolicy(true)}, so that a cancel takes the task out of the queue at once
 * like the library's wheel does (by default a cancelled task stays queued until its delay).
 * Every call is made from the calling thread.
 */
final class ScheduledExecutorSubject implements TimerSubject {
    private static final Runnable NOTHING = () -> { };

    private final PinnedThreadFactory threads;
    private final ScheduledThreadPoolExecutor executor;

    ScheduledExecutorSubject(int cpu) {
        threads = new PinnedThreadFactory("scheduled-executor", cpu);
        executor = new ScheduledThreadPoolExecutor(1, threads);
        executor.setRemoveOnCancelPolicy(true);
        executor.prestartCoreThread();
    }

    @Override
    public Object fill(int count, long delayNanos, boolean keep) {
        Object[] handles = keep ? new Object[count] : null;
        for (int i = 0; i < count; i++) {
            ScheduledFuture<?> f = executor.schedule(NOTHING, delayNanos, TimeUnit.NANOSECONDS);
            if (keep) {
                handles[i] = f;
            }
        }
        return handles;
    }

    @Override
    public long[] scheduleThenCancel(long[] delays) {
        int count = delays.length;
        ScheduledFuture<?>[] batch = new ScheduledFuture<?>[count];
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            batch[i] = executor.schedule(NOTHING, delays[i], TimeUnit.NANOSECONDS);
        }
        long t1 = System.nanoTime();
        int cancelled = 0;
        for (int i = 0; i < count; i++) {
            cancelled += batch[i].cancel(false) ? 1 : 0;
        }
        long t2 = System.nanoTime();
        TimerSubject.checkCancelled(cancelled, count);
        return new long[] {t1 - t0, t2 - t1};
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int tid() throws Exception {
        return threads.tid();
    }

    @Override
    public Thread thread() {
        return threads.thread();
    }

    @Override
    public void close() throws Exception {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
