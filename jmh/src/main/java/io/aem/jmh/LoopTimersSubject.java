package io.aem.jmh;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.sys.LibC;
import io.aem.linux.timer.LoopTimers;
import io.aem.linux.timer.WheelTimeout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The library's timer wheel ({@code LoopTimers}) on its own event loop, pinned to a CPU, as a
 * {@link TimerSubject}; with the library's default tick unless the system property
 * {@code aem.bench.wheelTickNanos} names another.
 *
 * <p>On the loop ({@code crossThread == false}): fills and batches run as loop tasks, each
 * timing itself around its inserts and cancels, with {@code schedule} and {@code cancel(long)},
 * the handles kept in a {@code long[]}. Cross-thread: {@code newTimeout} and
 * {@code WheelTimeout.cancel()} from the calling thread, timed until the loop has applied them
 * (its {@code pending()} count, read by a loop task, has reached the expected figure).
 */
final class LoopTimersSubject implements TimerSubject {
    /** Inserts per loop task when filling on the loop. */
    static final int FILL_BATCH = 100_000;

    private final Runnable nothing = () -> { };
    private final boolean crossThread;
    private final EventLoop loop;
    private final LoopTimers timers;
    private long[] batchHandles = new long[0];

    LoopTimersSubject(int cpu, boolean crossThread) throws Exception {
        this.crossThread = crossThread;
        EventLoopOptions options = EventLoopOptions.defaults().withName("aem-timers");
        loop = EventLoop.open(cpu >= 0 ? options.withCpuAffinity(cpu) : options);
        long tick = Long.getLong("aem.bench.wheelTickNanos", 0L);
        timers = tick > 0 ? LoopTimers.open(loop, Duration.ofNanos(tick)) : LoopTimers.open(loop);
    }

    @Override
    public Object fill(int count, long delayNanos, boolean keep) throws Exception {
        if (crossThread) {
            Object[] handles = keep ? new Object[count] : null;
            int before = onLoop(timers::pending);
            for (int i = 0; i < count; i++) {
                WheelTimeout t = timers.newTimeout(nothing, delayNanos, TimeUnit.NANOSECONDS);
                if (keep) {
                    handles[i] = t;
                }
            }
            awaitPending(before + count);
            return handles;
        }
        long[] handles = keep ? new long[count] : null;
        for (int from = 0; from < count; from += FILL_BATCH) {
            int start = from;
            int end = Math.min(count, from + FILL_BATCH);
            onLoop(() -> {
                for (int i = start; i < end; i++) {
                    long h = timers.schedule(nothing, delayNanos, TimeUnit.NANOSECONDS);
                    if (handles != null) {
                        handles[i] = h;
                    }
                }
                return null;
            });
        }
        return handles;
    }

    @Override
    public long[] scheduleThenCancel(long[] delays) throws Exception {
        return crossThread ? crossThreadBatch(delays) : onLoop(() -> loopBatch(delays));
    }

    /** Runs on the loop: the timing is taken there, around the inserts and around the cancels. */
    private long[] loopBatch(long[] delays) {
        int count = delays.length;
        if (batchHandles.length < count) {
            batchHandles = new long[count];
        }
        long[] h = batchHandles;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            h[i] = timers.schedule(nothing, delays[i], TimeUnit.NANOSECONDS);
        }
        long t1 = System.nanoTime();
        int cancelled = 0;
        for (int i = 0; i < count; i++) {
            cancelled += timers.cancel(h[i]) ? 1 : 0;
        }
        long t2 = System.nanoTime();
        TimerSubject.checkCancelled(cancelled, count);
        return new long[] {t1 - t0, t2 - t1};
    }

    private long[] crossThreadBatch(long[] delays) throws Exception {
        int count = delays.length;
        WheelTimeout[] batch = new WheelTimeout[count];
        int before = onLoop(timers::pending);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            batch[i] = timers.newTimeout(nothing, delays[i], TimeUnit.NANOSECONDS);
        }
        awaitPending(before + count);
        long t1 = System.nanoTime();
        int cancelled = 0;
        for (int i = 0; i < count; i++) {
            cancelled += batch[i].cancel() ? 1 : 0;
        }
        awaitPending(before);
        long t2 = System.nanoTime();
        TimerSubject.checkCancelled(cancelled, count);
        return new long[] {t1 - t0, t2 - t1};
    }

    /** Asks the loop for its pending count until it is {@code expected}; at most 60 s. */
    private void awaitPending(int expected) throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int seen;
        while ((seen = onLoop(timers::pending)) != expected) {
            if (System.nanoTime() > limit) {
                throw new IllegalStateException("the loop holds " + seen + " timers after 60 s, expected " + expected);
            }
            Thread.onSpinWait();
        }
    }

    private <T> T onLoop(Supplier<T> work) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(120, TimeUnit.SECONDS);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        if (loop.inEventLoop()) {
            timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } else {
            timers.newTimeout(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public int tid() throws Exception {
        return onLoop(LibC::gettid);
    }

    @Override
    public Thread thread() {
        return loop.thread();
    }

    @Override
    public long loopTurns() {
        return loop.turns();
    }

    @Override
    public void close() {
        timers.close();
        loop.close();
    }
}
