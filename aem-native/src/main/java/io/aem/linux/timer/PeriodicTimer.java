package io.aem.linux.timer;

/**
 * The payload of a periodic wheel timer: its handler and its grid of deadlines
 * ({@code first + k * period}, on the {@link System#nanoTime()} clock). Loop thread only.
 */
final class PeriodicTimer {
    final TickHandler handler;
    final long periodNanos;
    long nextDeadline;

    PeriodicTimer(TickHandler handler, long firstDeadline, long periodNanos) {
        this.handler = handler;
        this.nextDeadline = firstDeadline;
        this.periodNanos = periodNanos;
    }

    /**
     * Counts the deadlines passed at {@code now} (at least the current one) and moves the grid
     * past them.
     *
     * @return the expirations to report
     */
    long expire(long now) {
        long late = now - nextDeadline;
        long expirations = late <= 0 ? 1 : 1 + late / periodNanos;
        nextDeadline += expirations * periodNanos;
        return expirations;
    }
}
