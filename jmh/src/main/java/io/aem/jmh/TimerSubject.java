package io.aem.jmh;

/**
 * One of the timer implementations the timer benchmarks compare, behind the few operations they
 * need: the library's wheel on an event loop ({@link LoopTimersSubject}), Netty's
 * {@code HashedWheelTimer} ({@link HashedWheelSubject}) and the JDK's
 * {@code ScheduledThreadPoolExecutor} ({@link ScheduledExecutorSubject}). Each runs its timers
 * on one thread, pinned to {@link Cpus#RECEIVER}.
 *
 * <p>Variants ({@link #open}): {@code wheel} (the library, scheduling and cancelling on the loop
 * thread, long handles), {@code wheel-xthread} (the library through {@code newTimeout} and
 * {@code WheelTimeout.cancel()} from the calling thread), {@code hwt}, {@code stpe}.
 */
interface TimerSubject extends AutoCloseable {
    /** The nanoseconds of one hour, the delay of every timer meant to stay pending. */
    long HOUR_NANOS = 3_600_000_000_000L;

    /**
     * Opens a variant.
     *
     * @param variant {@code wheel}, {@code wheel-xthread}, {@code hwt} or {@code stpe}
     * @param cpu     the CPU of the timer's thread, negative for none
     */
    static TimerSubject open(String variant, int cpu) throws Exception {
        switch (variant) {
            case "wheel":
                return new LoopTimersSubject(cpu, false);
            case "wheel-xthread":
                return new LoopTimersSubject(cpu, true);
            case "hwt":
                return new HashedWheelSubject(cpu);
            case "stpe":
                return new ScheduledExecutorSubject(cpu);
            default:
                throw new IllegalArgumentException("unknown timer variant '" + variant + "' (wheel, wheel-xthread, hwt, stpe)");
        }
    }

    /**
     * Schedules {@code count} timers of one shared no-op task, {@code delayNanos} out, in the
     * variant's way, and returns once every one is in the timer's hands.
     *
     * @param keep whether the handles are kept
     * @return the kept handles ({@code long[]} or {@code Object[]}, allocated here), or {@code null}
     */
    Object fill(int count, long delayNanos, boolean keep) throws Exception;

    /**
     * One timed batch: schedules one timer of the shared task per entry of {@code delays}
     * (nanoseconds), then cancels the same ones in the same order, each in the variant's way and
     * until the timer has taken them where the variant says so.
     *
     * @return the nanoseconds of the schedules and of the cancels
     */
    long[] scheduleThenCancel(long[] delays) throws Exception;

    /**
     * Schedules {@code task} to run once on the timer's thread after {@code delayNanos}; callable
     * from any thread, and the cheapest way from the timer's own thread.
     */
    void schedule(Runnable task, long delayNanos);

    /** The kernel thread id of the timer's thread. */
    int tid() throws Exception;

    /** The timer's thread. */
    Thread thread();

    /** Turns of the event loop, or -1 for a variant without one. */
    default long loopTurns() {
        return -1;
    }

    @Override
    void close() throws Exception;

    /** Fails unless every cancel of a batch found its timer pending. */
    static void checkCancelled(int cancelled, int count) {
        if (cancelled != count) {
            throw new IllegalStateException(cancelled + " of " + count + " cancels found their timer pending");
        }
    }
}
