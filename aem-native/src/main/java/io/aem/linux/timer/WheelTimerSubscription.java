package io.aem.linux.timer;

import io.aem.linux.event.TimerTick;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.source.Demand;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscriber's wheel timer ({@link WheelTimer}). Every signal and every wheel operation
 * happens on the loop thread; {@link #request} and {@link #cancel} from other threads add demand
 * or set the flag and hand the rest to the loop.
 */
final class WheelTimerSubscription implements Flow.Subscription, Runnable {
    private static final long NO_HANDLE = 0;

    private final LoopTimers timers;
    private final EventLoop loop;
    private final Flow.Subscriber<? super TimerTick> subscriber;
    private final long initialDelayNanos;
    private final long periodNanos;
    private final AtomicLong requested = new AtomicLong();
    private final Runnable resume = this::resume;
    private volatile boolean cancelled;
    /** Loop thread: the pending wheel entry, the deadline it stands for, a due tick not yet delivered. */
    private long handle = NO_HANDLE;
    private long deadline;
    private boolean owed;
    private boolean done;

    WheelTimerSubscription(LoopTimers timers, Flow.Subscriber<? super TimerTick> subscriber,
                           long initialDelayNanos, long periodNanos) {
        this.timers = timers;
        this.loop = timers.loop();
        this.subscriber = subscriber;
        this.initialDelayNanos = initialDelayNanos;
        this.periodNanos = periodNanos;
    }

    void start() {
        if (loop.inEventLoop()) {
            begin();
            return;
        }
        try {
            loop.execute(this::begin);
        } catch (EventLoopClosedException e) {
            subscriber.onSubscribe(this);
            terminate(e);
        }
    }

    private void begin() {
        subscriber.onSubscribe(this);
        if (cancelled || done) {
            return;
        }
        if (timers.isClosed()) {
            terminate(new IllegalStateException(timers + " is closed"));
            return;
        }
        timers.track(this);
        long now = System.nanoTime();
        deadline = now + Math.min(initialDelayNanos, Long.MAX_VALUE - now);
        handle = timers.scheduleAt(this, deadline, now);
    }

    /** The wheel entry came due. */
    @Override
    public void run() {
        handle = NO_HANDLE;
        if (cancelled || done) {
            return;
        }
        owed = true;
        resume();
    }

    private void resume() {
        if (!owed || cancelled || done || requested.get() == 0) {
            return;
        }
        owed = false;
        long expirations = 1;
        if (periodNanos > 0) {
            long late = System.nanoTime() - deadline;
            expirations = late <= 0 ? 1 : 1 + late / periodNanos;
            deadline += expirations * periodNanos;
        }
        if (requested.get() != Long.MAX_VALUE) {
            requested.decrementAndGet();
        }
        subscriber.onNext(new TimerTick(expirations, false));
        if (cancelled || done) {
            return;
        }
        if (periodNanos == 0) {
            done = true;
            timers.untrack(this);
            subscriber.onComplete();
            return;
        }
        if (timers.isClosed()) {
            terminate(new IllegalStateException(timers + " is closed"));
            return;
        }
        handle = timers.scheduleAt(this, deadline);
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            onLoop(() -> {
                if (!cancelled && !done) {
                    cancelTimer();
                    terminate(new IllegalArgumentException("rule 3.9: request(n) needs n > 0, was " + n));
                }
            });
            return;
        }
        if (Demand.add(requested, n) == 0) {
            onLoop(resume);
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        onLoop(this::cancelTimer);
    }

    /** The wheel or its loop closed under a live subscription. */
    void closed(Throwable cause) {
        handle = NO_HANDLE;
        if (!cancelled && !done) {
            terminate(cause);
        }
    }

    private void cancelTimer() {
        if (handle != NO_HANDLE) {
            if (!timers.isClosed()) {
                timers.cancel(handle);
            }
            handle = NO_HANDLE;
        }
        timers.untrack(this);
    }

    private void terminate(Throwable cause) {
        done = true;
        timers.untrack(this);
        subscriber.onError(cause);
    }

    private void onLoop(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
            return;
        }
        try {
            loop.execute(action);
        } catch (EventLoopClosedException closed) {
            // the loop's shutdown ends the stream through closed()
        }
    }

    @Override
    public String toString() {
        return "WheelTimerSubscription[" + (periodNanos == 0 ? "once" : "every " + TimeUnit.NANOSECONDS.toMillis(periodNanos) + " ms") + "]";
    }
}
