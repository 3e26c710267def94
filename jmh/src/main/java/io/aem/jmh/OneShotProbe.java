package io.aem.jmh;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One timer scheduled from the calling thread, and how late it ran: its run time on the timer's
 * thread minus (the time just before the schedule call + the delay). A timer that has not run
 * within the bound counts as that late.
 */
final class OneShotProbe {
    private OneShotProbe() {
    }

    /**
     * @param delayNanos     the timer's delay
     * @param timeoutSeconds the longest wait for it
     * @return the lateness in nanoseconds, or {@code -1} when it did not run within the bound
     */
    static long lateness(TimerSubject subject, long delayNanos, int timeoutSeconds) throws Exception {
        CompletableFuture<Long> ran = new CompletableFuture<>();
        long t0 = System.nanoTime();
        subject.schedule(() -> ran.complete(System.nanoTime()), delayNanos);
        try {
            return ran.get(timeoutSeconds, TimeUnit.SECONDS) - (t0 + delayNanos);
        } catch (TimeoutException e) {
            return -1;
        }
    }
}
