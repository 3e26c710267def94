package io.aem.linux.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link KernelTimer} does: when it first fires (after a delay, or at an absolute time on
 * its clock), whether it repeats, on which clock, and whether wall-clock changes are reported.
 * Immutable; each {@code with*} method returns a copy. Values are checked here, so a bad
 * duration fails at once with an {@link IllegalArgumentException} that says what was wrong.
 * A deadline that has already passed can only be checked against the clock when the timer is
 * armed: the stream then fails with {@link IllegalArgumentException}.
 */
public final class TimerSpec {
    private final TimerClock clock;
    private final boolean absolute;
    private final long initialNanos;
    private final long periodNanos;
    private final boolean cancelOnClockChange;

    private TimerSpec(TimerClock clock, boolean absolute, long initialNanos, long periodNanos, boolean cancelOnClockChange) {
        this.clock = clock;
        this.absolute = absolute;
        this.initialNanos = initialNanos;
        this.periodNanos = periodNanos;
        this.cancelOnClockChange = cancelOnClockChange;
    }

    /**
     * A one-shot timer on {@link TimerClock#MONOTONIC}; its stream completes after the tick.
     *
     * @param delay positive (a zero value would disarm a timerfd)
     * @return the spec
     */
    public static TimerSpec after(Duration delay) {
        return new TimerSpec(TimerClock.MONOTONIC, false, positiveNanos("delay", delay), 0, false);
    }

    /**
     * A periodic timer on {@link TimerClock#MONOTONIC} whose first expiry is one period away.
     *
     * @param period positive
     * @return the spec
     */
    public static TimerSpec every(Duration period) {
        long p = positiveNanos("period", period);
        return new TimerSpec(TimerClock.MONOTONIC, false, p, p, false);
    }

    /**
     * A periodic timer on {@link TimerClock#MONOTONIC}.
     *
     * @param initialDelay positive: time to the first expiry
     * @param period       positive
     * @return the spec
     */
    public static TimerSpec every(Duration initialDelay, Duration period) {
        return new TimerSpec(TimerClock.MONOTONIC, false, positiveNanos("initial delay", initialDelay),
                positiveNanos("period", period), false);
    }

    /**
     * A one-shot timer at a wall-clock instant ({@link TimerClock#REALTIME}, absolute): it fires
     * at that time even if the clock is set meanwhile.
     *
     * @param deadline the instant; it must still be in the future when the timer is armed
     * @return the spec
     */
    public static TimerSpec at(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        long nanos;
        try {
            nanos = Math.addExact(Math.multiplyExact(deadline.getEpochSecond(), 1_000_000_000L), deadline.getNano());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("deadline " + deadline + " is out of the range of the kernel's clock");
        }
        if (nanos <= 0) {
            throw new IllegalArgumentException("deadline " + deadline + " is not after the epoch; pick a future instant");
        }
        return new TimerSpec(TimerClock.REALTIME, true, nanos, 0, false);
    }

    /**
     * A one-shot timer at an absolute time of a clock, in nanoseconds of that clock
     * ({@link System#nanoTime()} values for {@link TimerClock#MONOTONIC}).
     *
     * @param clock      the clock
     * @param clockNanos the time on it; it must still be in the future when the timer is armed
     * @return the spec
     */
    public static TimerSpec at(TimerClock clock, long clockNanos) {
        Objects.requireNonNull(clock, "clock");
        if (clockNanos <= 0) {
            throw new IllegalArgumentException("absolute time " + clockNanos + " ns on " + clock
                    + " is not positive; pick a time after the clock's start");
        }
        return new TimerSpec(clock, true, clockNanos, 0, false);
    }

    /**
     * Runs the timer on another clock. An absolute time keeps its value, read on the new clock.
     *
     * @param newClock the clock
     * @return a copy on that clock
     */
    public TimerSpec withClock(TimerClock newClock) {
        Objects.requireNonNull(newClock, "clock");
        if (cancelOnClockChange && !newClock.isWallClock()) {
            throw new IllegalArgumentException("clock-change reporting needs REALTIME or REALTIME_ALARM, not " + newClock);
        }
        return new TimerSpec(newClock, absolute, initialNanos, periodNanos, cancelOnClockChange);
    }

    /**
     * Makes the timer repeat with this period after its first expiry.
     *
     * @param period positive
     * @return a periodic copy
     */
    public TimerSpec withPeriod(Duration period) {
        return new TimerSpec(clock, absolute, initialNanos, positiveNanos("period", period), cancelOnClockChange);
    }

    /**
     * Reports wall-clock changes ({@code TFD_TIMER_CANCEL_ON_SET}): when the realtime clock is set
     * while the timer is armed, the subscriber receives a {@link TimerTick} with
     * {@code clockChanged} true and the timer stays armed at its absolute time. Only for absolute
     * timers on {@link TimerClock#REALTIME} or {@link TimerClock#REALTIME_ALARM}.
     *
     * @return a copy that reports clock changes
     */
    public TimerSpec withClockChangeReports() {
        if (!absolute || !clock.isWallClock()) {
            throw new IllegalArgumentException("clock-change reporting needs an absolute deadline on REALTIME or"
                    + " REALTIME_ALARM (TimerSpec.at(Instant)); this timer is " + this);
        }
        return new TimerSpec(clock, true, initialNanos, periodNanos, true);
    }

    /** The clock. */
    public TimerClock clock() {
        return clock;
    }

    /** Whether the first expiry is an absolute time on the clock. */
    public boolean isAbsolute() {
        return absolute;
    }

    /** The delay to the first expiry, or its absolute time on the clock, in nanoseconds. */
    public long initialNanos() {
        return initialNanos;
    }

    /** The period in nanoseconds; {@code 0} for one shot. */
    public long periodNanos() {
        return periodNanos;
    }

    /** Whether the timer repeats. */
    public boolean isPeriodic() {
        return periodNanos > 0;
    }

    /** Whether wall-clock changes are reported. */
    public boolean reportsClockChanges() {
        return cancelOnClockChange;
    }

    private static long positiveNanos(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timer " + what + " must be positive, was " + d
                    + (d.isZero() ? " (a zero value disarms a timerfd; use the smallest delay you mean, e.g. 1 ns)" : ""));
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("timer " + what + " " + d + " exceeds 292 years, the range of the kernel's clock");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("timerfd ").append(clock);
        if (absolute) {
            b.append(" at ").append(initialNanos).append(" ns");
        } else if (initialNanos != periodNanos) {
            b.append(" after ").append(Duration.ofNanos(initialNanos));
        }
        if (periodNanos > 0) {
            b.append(" every ").append(Duration.ofNanos(periodNanos));
        }
        if (cancelOnClockChange) {
            b.append(", reporting clock changes");
        }
        return b.toString();
    }
}
