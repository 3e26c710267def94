package io.aem.jmh;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A few timers in flight at once, each rescheduling itself from the timer's thread when it runs:
 * every run records its lateness (run time minus the deadline it was given: the time just before
 * its schedule call plus the delay), the first {@code warmup} runs unreported, until
 * {@code warmup + samples} runs are recorded. All recording happens on the timer's one thread.
 */
final class LatenessChains {
    private final TimerSubject subject;
    private final long delayNanos;
    private final int warmup;
    private final long[] samples;
    private final CountDownLatch stopped;
    private int runs;

    LatenessChains(TimerSubject subject, long delayNanos, int warmup, int samples, int chains) {
        this.subject = subject;
        this.delayNanos = delayNanos;
        this.warmup = warmup;
        this.samples = new long[samples];
        this.stopped = new CountDownLatch(chains);
    }

    /**
     * Starts the chains from the calling thread, spread over one delay, and waits for them to stop.
     *
     * @return the samples recorded (all of them unless the bound was reached)
     */
    int run(int timeoutSeconds) throws InterruptedException {
        int chains = (int) stopped.getCount();
        for (int c = 0; c < chains; c++) {
            new Chain().arm();
            Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos) / chains));
        }
        stopped.await(timeoutSeconds, TimeUnit.SECONDS);
        synchronized (this) {
            return Math.max(0, Math.min(runs - warmup, samples.length));
        }
    }

    long[] samples() {
        return samples;
    }

    /** Records one run; false when enough have been recorded. Timer thread only (and the final read). */
    private synchronized boolean record(long lateNanos) {
        int k = runs - warmup;
        if (k >= samples.length) {
            return false;
        }
        if (k >= 0) {
            samples[k] = lateNanos;
        }
        runs++;
        return true;
    }

    private final class Chain implements Runnable {
        private long deadline;

        void arm() {
            deadline = System.nanoTime() + delayNanos;
            subject.schedule(this, delayNanos);
        }

        @Override
        public void run() {
            long late = System.nanoTime() - deadline;
            if (record(late)) {
                arm();
            } else {
                stopped.countDown();
            }
        }
    }
}
