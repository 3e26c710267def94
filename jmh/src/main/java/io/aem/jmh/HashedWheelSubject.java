package io.aem.jmh;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@code HashedWheelTimer} with its defaults (100 ms tick, 512 buckets, tasks run on
 * its worker thread) as a {@link TimerSubject}. Every call is made from the calling thread; the
 * worker moves at most 100,000 new timeouts per tick from its queue into the wheel and removes
 * cancelled ones at its next tick, so schedule and cancel are timed on the caller only.
 */
final class HashedWheelSubject implements TimerSubject {
    private static final TimerTask NOTHING = timeout -> { };

    private final PinnedThreadFactory threads;
    private final HashedWheelTimer timer;

    HashedWheelSubject(int cpu) {
        threads = new PinnedThreadFactory("hashed-wheel", cpu);
        timer = new HashedWheelTimer(threads, 100, TimeUnit.MILLISECONDS, 512);
        timer.start();
    }

    @Override
    public Object fill(int count, long delayNanos, boolean keep) {
        Object[] handles = keep ? new Object[count] : null;
        for (int i = 0; i < count; i++) {
            Timeout t = timer.newTimeout(NOTHING, delayNanos, TimeUnit.NANOSECONDS);
            if (keep) {
                handles[i] = t;
            }
        }
        return handles;
    }

    @Override
    public long[] scheduleThenCancel(long[] delays) {
        int count = delays.length;
        Timeout[] batch = new Timeout[count];
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            batch[i] = timer.newTimeout(NOTHING, delays[i], TimeUnit.NANOSECONDS);
        }
        long t1 = System.nanoTime();
        int cancelled = 0;
        for (int i = 0; i < count; i++) {
            cancelled += batch[i].cancel() ? 1 : 0;
        }
        long t2 = System.nanoTime();
        TimerSubject.checkCancelled(cancelled, count);
        return new long[] {t1 - t0, t2 - t1};
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        timer.newTimeout(timeout -> task.run(), delayNanos, TimeUnit.NANOSECONDS);
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
    public void close() {
        timer.stop();
    }
}
