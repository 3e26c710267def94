package io.aem.linux.timer;

import io.aem.linux.event.TimerTick;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A wheel timer as a {@link Flow.Publisher} of {@link TimerTick}s: one-shot ({@link #after}) or
 * at a fixed rate ({@link #every}), on a {@link LoopTimers} wheel. Cold: each subscriber gets
 * its own timer, started at subscription.
 *
 * <p><b>Demand.</b> A tick is delivered only against demand. A periodic timer whose subscriber has
 * no demand when it comes due is not put back on the wheel: no work is done while the subscriber
 * waits, and when demand returns one tick is delivered whose {@code expirations} counts every
 * period that ended meanwhile; the timer then continues on its original grid
 * ({@code first + k * period}). Nothing is dropped. A one-shot timer delivers
 * {@code TimerTick(1, false)} and completes.
 *
 * <p><b>Signals</b> arrive on the wheel's loop thread. If the wheel or its loop closes, the stream
 * ends with {@link io.aem.linux.loop.EventLoopClosedException} (loop) or
 * {@link IllegalStateException} (wheel). {@code request(n <= 0)} ends it with
 * {@link IllegalArgumentException} (rule 3.9).
 *
 * <p><b>Costs.</b> One subscription object and one wheel entry per subscriber; one {@code onNext}
 * per tick, and nothing while the subscriber has no demand.
 */
public final class WheelTimer implements Flow.Publisher<TimerTick> {
    private final LoopTimers timers;
    private final long initialDelayNanos;
    private final long periodNanos;

    private WheelTimer(LoopTimers timers, long initialDelayNanos, long periodNanos) {
        this.timers = Objects.requireNonNull(timers, "timers");
        this.initialDelayNanos = initialDelayNanos;
        this.periodNanos = periodNanos;
    }

    /**
     * A one-shot timer: one tick after the delay, then completion.
     *
     * @param timers the wheel
     * @param delay  {@code >= 0}
     * @return the publisher
     */
    public static WheelTimer after(LoopTimers timers, Duration delay) {
        return new WheelTimer(timers, nonNegative(delay, "delay"), 0);
    }

    /**
     * A fixed-rate timer: first tick after {@code initialDelay}, then one per {@code period};
     * runs until cancelled.
     *
     * @param timers       the wheel
     * @param initialDelay {@code >= 0}
     * @param period       {@code > 0}
     * @return the publisher
     */
    public static WheelTimer every(LoopTimers timers, Duration initialDelay, Duration period) {
        long p = nonNegative(period, "period");
        if (p == 0) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        return new WheelTimer(timers, nonNegative(initialDelay, "initialDelay"), p);
    }

    /** The wheel the timers run on. */
    public LoopTimers timers() {
        return timers;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super TimerTick> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        new WheelTimerSubscription(timers, subscriber, initialDelayNanos, periodNanos).start();
    }

    @Override
    public String toString() {
        return periodNanos == 0 ? "WheelTimer[after " + initialDelayNanos + " ns]"
                : "WheelTimer[every " + periodNanos + " ns, first after " + initialDelayNanos + " ns]";
    }

    private static long nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
