package io.aem.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Schedule and cancel cost with many timers pending, a hand-timed harness (not JMH: the state is
 * millions of pending timers, and the library's cheapest path is timed inside a loop task on the
 * loop thread). COUNT timers one hour out are scheduled first and a 10 ms timer is awaited (for
 * Netty, until its worker has moved them all into the wheel); then WARMUP batches and BATCHES
 * measured batches, each scheduling BATCH timers one hour out and cancelling the same ones, with
 * PAUSE_MS between batches so that a worker's deferred work (Netty's removals at its next tick)
 * is done before the next. DELAYS {@code hour}: every batch timer one hour out, like the pending
 * ones (for the JDK's heap the cheapest case: a new entry is the latest and stays at the bottom);
 * {@code spread}: delays drawn uniformly from 1 s to 2 h (one fixed seed, the same in every
 * variant), so that about half land before the pending ones. The fill itself runs the schedule path COUNT times before the
 * warm-up batches. Reported: per operation, the median, minimum and maximum over the measured
 * batches.
 *
 * <p>Who times what ({@link TimerSubject#scheduleThenCancel}): {@code wheel}, the loop task
 * around its own inserts and cancels; {@code wheel-xthread}, this thread from the first
 * {@code newTimeout} until the loop's {@code pending()} shows them all, then from the first
 * {@code cancel()} until it shows them gone; {@code hwt} and {@code stpe}, this thread around its
 * calls. The timer's thread runs on {@link Cpus#RECEIVER}, this thread on {@link Cpus#SENDER}.
 *
 * <p>Usage: {@code TimerOpCost VARIANT COUNT BATCH WARMUP BATCHES PAUSE_MS hour|spread}. Prints
 * {@code ops.VARIANT.*} lines; writes them to {@code $AEM_JMH_OUT/ops-VARIANT.txt} when set.
 */
public final class TimerOpCost {
    private TimerOpCost() {
    }

    /**
     * Entry point.
     *
     * @param args variant, pending count, batch size, warm-up batches, measured batches, pause, delays
     * @throws Exception when the timer fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 7 || !(args[6].equals("hour") || args[6].equals("spread"))) {
            System.err.println("usage: TimerOpCost wheel|wheel-xthread|hwt|stpe COUNT BATCH WARMUP BATCHES PAUSE_MS hour|spread");
            System.exit(2);
        }
        String variant = args[0];
        int count = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int batches = Integer.parseInt(args[4]);
        int pauseMs = Integer.parseInt(args[5]);
        if (count < 0 || count > 20_000_000 || batch < 1 || batch > 1_000_000 || warmup < 0 || warmup > 1000
                || batches < 1 || batches > 1000 || pauseMs < 0 || pauseMs > 10_000) {
            throw new IllegalArgumentException("COUNT 0..20000000, BATCH 1..1000000, WARMUP 0..1000, BATCHES 1..1000, PAUSE_MS 0..10000");
        }
        if (Cpus.SENDER >= 0) {
            Cpus.pin(Cpus.SENDER);
        }
        long[] delays = delays(batch, args[6].equals("spread"));
        String p = "ops." + variant + ".";
        ResultLines out = new ResultLines();
        double[] schedule = new double[batches];
        double[] cancel = new double[batches];
        try (TimerSubject subject = TimerSubject.open(variant, Cpus.RECEIVER)) {
            long t0 = System.nanoTime();
            subject.fill(count, TimerSubject.HOUR_NANOS, false);
            out.line(p + "fill_seconds", (System.nanoTime() - t0) / 1e9);
            out.line(p + "settle_ms", OneShotProbe.lateness(subject, 10_000_000L, 120) / 1e6);
            for (int i = 0; i < warmup + batches; i++) {
                Thread.sleep(pauseMs);
                long[] ns = subject.scheduleThenCancel(delays);
                if (i >= warmup) {
                    schedule[i - warmup] = ns[0] / (double) batch;
                    cancel[i - warmup] = ns[1] / (double) batch;
                }
            }
        }
        out.line(p + "pending", count).line(p + "batch", batch).line(p + "batches", batches)
                .line(p + "spread_delays", args[6].equals("spread") ? 1 : 0);
        stats(out, p + "schedule", schedule);
        stats(out, p + "cancel", cancel);
        out.publish("ops-" + variant + ".txt");
    }

    private static long[] delays(int batch, boolean spread) {
        long[] d = new long[batch];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < batch; i++) {
            d[i] = spread ? random.nextLong(1_000_000_000L, 2 * TimerSubject.HOUR_NANOS) : TimerSubject.HOUR_NANOS;
        }
        return d;
    }

    private static void stats(ResultLines out, String prefix, double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        out.line(prefix + "_ns", RoundTable.median(s));
        out.line(prefix + "_min_ns", s[0]);
        out.line(prefix + "_max_ns", s[s.length - 1]);
    }
}
