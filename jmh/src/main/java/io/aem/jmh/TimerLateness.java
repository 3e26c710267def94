package io.aem.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Lateness of short timers while many wait: PENDING timers one hour out, then CHAINS timers of
 * DELAY_MS in flight at once, each rescheduling itself from the timer's thread when it runs
 * ({@link LatenessChains}), WARMUP runs unreported and SAMPLES reported (at most 300 s). The
 * sample is the run time minus the deadline (the time just before the schedule call plus the
 * delay). Before the chains start, a 10 ms timer is awaited, so that Netty's worker has moved the
 * pending timers into its wheel. The timer's thread runs on {@link Cpus#RECEIVER}, this thread on
 * {@link Cpus#SENDER}; the C reference is {@code timerfd_lateness.c}.
 *
 * <p>Usage: {@code TimerLateness VARIANT PENDING WARMUP SAMPLES CHAINS DELAY_MS}. Prints
 * {@code lateness.VARIANT.*} lines ({@link LatencyReport}); writes them to
 * {@code $AEM_JMH_OUT/latency-VARIANT.txt} when set, and every sample in nanoseconds, in order, to
 * {@code samples-VARIANT.txt} there.
 */
public final class TimerLateness {
    private TimerLateness() {
    }

    /** Every sample in nanoseconds, in the order recorded, to {@code $AEM_JMH_OUT/samples-VARIANT.txt} when set. */
    private static void writeSamples(String variant, long[] samples, int n) throws IOException {
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir == null || dir.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(n * 8);
        for (int i = 0; i < n; i++) {
            b.append(samples[i]).append('\n');
        }
        Files.writeString(Path.of(dir, "samples-" + variant + ".txt"), b);
    }

    /**
     * Entry point.
     *
     * @param args variant, pending count, warm-up runs, samples, chains, delay in ms
     * @throws Exception when the timer fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: TimerLateness wheel|wheel-xthread|hwt|stpe PENDING WARMUP SAMPLES CHAINS DELAY_MS");
            System.exit(2);
        }
        String variant = args[0];
        int pending = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int samples = Integer.parseInt(args[3]);
        int chains = Integer.parseInt(args[4]);
        int delayMs = Integer.parseInt(args[5]);
        if (pending < 0 || pending > 20_000_000 || warmup < 0 || warmup > 1_000_000 || samples < 1
                || samples > 1_000_000 || chains < 1 || chains > 1000 || delayMs < 1 || delayMs > 10_000) {
            throw new IllegalArgumentException("PENDING 0..20000000, WARMUP 0..1000000, SAMPLES 1..1000000, CHAINS 1..1000, DELAY_MS 1..10000");
        }
        if (Cpus.SENDER >= 0) {
            Cpus.pin(Cpus.SENDER);
        }
        StringBuilder out = new StringBuilder();
        String p = "lateness." + variant + ".";
        try (TimerSubject subject = TimerSubject.open(variant, Cpus.RECEIVER)) {
            subject.fill(pending, TimerSubject.HOUR_NANOS, false);
            OneShotProbe.lateness(subject, 10_000_000L, 120);
            LatenessChains runs = new LatenessChains(subject, TimeUnit.MILLISECONDS.toNanos(delayMs), warmup, samples, chains);
            long t0 = System.nanoTime();
            int n = runs.run(300);
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.append(p).append("pending ").append(pending).append('\n');
            out.append(p).append("chains ").append(chains).append('\n');
            out.append(p).append("seconds ").append(String.format(Locale.ROOT, "%.3f", seconds)).append('\n');
            if (n == 0) {
                throw new IllegalStateException("no sample recorded within 300 s");
            }
            LatencyReport.percentiles(out, p, runs.samples(), n);
            writeSamples(variant, runs.samples(), n);
        }
        LatencyReport.publish(variant, out);
    }
}
