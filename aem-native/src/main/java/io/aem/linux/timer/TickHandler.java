package io.aem.linux.timer;

/**
 * The callback of a periodic wheel timer ({@link LoopTimers#schedulePeriodic}).
 *
 * <p>Called on the loop thread. When the loop comes late by more than a period, the missed
 * periods are not run back to back: they coalesce into one call whose {@code expirations}
 * counts them, and the timer stays on its original grid of deadlines.
 */
@FunctionalInterface
public interface TickHandler {
    /**
     * The timer's deadline (or several) passed.
     *
     * @param expirations periods that ended since the previous call, at least 1
     */
    void onTick(long expirations);
}
