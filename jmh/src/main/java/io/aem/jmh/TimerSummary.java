package io.aem.jmh;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Prints the table of {@code run-timer-benchmarks.sh}: per round and the median of the rounds,
 * the heap per pending timer, the schedule and cancel costs with their ratios, the lateness of
 * 10 ms timers beside the C timerfd, the lateness of a timer added after the pending ones, and
 * the timer thread's CPU while they wait; and the targets, judged on the medians.
 *
 * <p>Layout of the results directory, as the script writes it:
 * <pre>
 *   round-k/pending/pending-VARIANT-HANDLES.txt   PendingTimers (dropped: with the CPU window)
 *   round-k/ops-MODE/ops-VARIANT.txt              TimerOpCost, MODE hour or spread
 *   round-k/lateness/latency-VARIANT.txt          TimerLateness
 *   round-k/lateness/c-before.txt, c-after.txt    timerfd_lateness.c around the Java runs
 * </pre>
 * VARIANT is {@code wheel}, {@code wheel-xthread}, {@code hwt} or {@code stpe}. The C reference
 * of a round is the mean of its two runs. A missing file shows as "-".
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.TimerSummary RESULTS_DIR ROUNDS}
 */
public final class TimerSummary {
    private static final String[][] VARIANTS = {
        {"wheel", "LoopTimers, on the loop"}, {"hwt", "Netty HashedWheelTimer"}, {"stpe", "ScheduledThreadPoolExecutor"},
    };

    private final Path dir;
    private final int rounds;
    private final Map<Path, Map<String, Double>> files = new HashMap<>();
    private final StringBuilder out = new StringBuilder();
    private final RoundTable table;

    private TimerSummary(Path dir, int rounds) {
        this.dir = dir;
        this.rounds = rounds;
        this.table = new RoundTable(out, rounds, 52, 11, 52);
    }

    /**
     * Entry point.
     *
     * @param args the results directory and the number of rounds
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: TimerSummary RESULTS_DIR ROUNDS");
            System.exit(2);
        }
        TimerSummary s = new TimerSummary(Path.of(args[0]), Integer.parseInt(args[1]));
        s.footprint();
        s.operations("hour", "every batch timer one hour out");
        s.operations("spread", "batch delays spread over 1 s - 2 h");
        s.lateness();
        s.lateAdd();
        s.idleCpu();
        System.out.print(s.out);
    }

    private void footprint() {
        table.header("heap bytes per pending timer, timers one hour out (heap used after GC, with them minus before, / count)");
        double dropped = table.row("LoopTimers, long handles dropped", k -> pending(k, "wheel", "dropped", "bytes_per_timer"));
        double kept = table.row("LoopTimers, long handles kept in a long[]", k -> pending(k, "wheel", "kept", "bytes_per_timer"));
        table.row("LoopTimers newTimeout, WheelTimeout in an Object[]",
                k -> pending(k, "wheel-xthread", "kept", "bytes_per_timer"));
        table.row("HashedWheelTimer, Timeout dropped", k -> pending(k, "hwt", "dropped", "bytes_per_timer"));
        table.row("HashedWheelTimer, Timeout kept in an Object[]", k -> pending(k, "hwt", "kept", "bytes_per_timer"));
        table.row("STPE, ScheduledFuture dropped", k -> pending(k, "stpe", "dropped", "bytes_per_timer"));
        table.row("STPE, ScheduledFuture kept in an Object[]", k -> pending(k, "stpe", "kept", "bytes_per_timer"));
        table.row("pending timers (count)", k -> pending(k, "wheel", "dropped", "count"));
        table.verdict("bytes per timer, LoopTimers, handles dropped", dropped, "<=", 32);
        table.verdict("bytes per timer, LoopTimers, long handles kept", kept, "<=", 32);
    }

    private void operations(String mode, String what) {
        if (IntStream.rangeClosed(1, rounds).allMatch(k -> Double.isNaN(ops(k, mode, "wheel", "schedule_ns"))
                && Double.isNaN(ops(k, mode, "stpe", "schedule_ns")))) {
            return;
        }
        table.header("schedule and cancel with many pending, " + what + ", ns per operation (median of the batches)");
        String[][] rows = {
            {"wheel", "LoopTimers on the loop"}, {"wheel-xthread", "LoopTimers newTimeout/cancel, other thread"},
            {"hwt", "HashedWheelTimer"}, {"stpe", "ScheduledThreadPoolExecutor"},
        };
        for (String op : new String[] {"schedule", "cancel"}) {
            for (String[] r : rows) {
                table.row(r[1] + " " + op, k -> ops(k, mode, r[0], op + "_ns"));
            }
        }
        table.row("pending timers (count)", k -> ops(k, mode, "wheel", "pending"));
        for (String ours : new String[] {"wheel", "wheel-xthread"}) {
            String name = ours.equals("wheel") ? "loop" : "other thread";
            for (String op : new String[] {"schedule", "cancel"}) {
                double vsHwt = table.ratioRow(op + ", LoopTimers (" + name + ") / HWT", k -> ops(k, mode, ours, op + "_ns"),
                        k -> ops(k, mode, "hwt", op + "_ns"));
                double vsStpe = table.ratioRow(op + ", STPE / LoopTimers (" + name + ")",
                        k -> ops(k, mode, "stpe", op + "_ns"), k -> ops(k, mode, ours, op + "_ns"));
                table.verdict(op + " (" + name + ", " + mode + "), LoopTimers / HWT", vsHwt, "<=", 1.0);
                table.verdict(op + " (" + name + ", " + mode + "), STPE / LoopTimers", vsStpe, ">=", 3.0);
            }
        }
    }

    private void lateness() {
        table.header("lateness of 10 ms timers with many pending: run time minus deadline (us)");
        double wheelP99 = Double.NaN;
        for (String p : new String[] {"p50", "p99", "p999", "max"}) {
            table.row("C timerfd + epoll, one at a time       " + p, k -> cLateness(k, p + "_us"));
            for (String[] v : VARIANTS) {
                double m = table.row(String.format(Locale.ROOT, "%-38s ", v[1]) + p, k -> late(k, v[0], p + "_us"));
                if (v[0].equals("wheel") && p.equals("p99")) {
                    wheelP99 = m;
                }
            }
        }
        table.row("pending timers (count)", k -> late(k, "wheel", "pending"));
        table.row("samples per variant", k -> late(k, "wheel", "n"));
        table.verdict("10 ms timer p99 lateness, LoopTimers, ms", wheelP99 / 1000, "<=", 2.0);
    }

    private void lateAdd() {
        table.header("lateness of one 10 ms timer scheduled right after the pending ones (ms)");
        double wheel = Double.NaN;
        for (String[] v : VARIANTS) {
            double m = table.row(v[1] + ", handles dropped run", k -> pending(k, v[0], "dropped", "late_add_ms"));
            table.row(v[1] + ", handles kept run", k -> pending(k, v[0], "kept", "late_add_ms"));
            if (v[0].equals("wheel")) {
                wheel = m;
            }
        }
        table.verdict("added timer on time, LoopTimers, ms late", wheel, "<=", 2.0);
    }

    private void idleCpu() {
        table.header("CPU of the timer's thread while the pending timers wait (ms over the window; /proc utime+stime, 10 ms ticks)");
        double wheelShare = Double.NaN;
        for (String[] v : VARIANTS) {
            table.row(v[1] + ", /proc", k -> pending(k, v[0], "dropped", "thread_cpu_ms"));
            table.row(v[1] + ", ThreadMXBean", k -> pending(k, v[0], "dropped", "thread_cpu_mx_ms"));
            table.row(v[1] + ", whole process, /proc", k -> pending(k, v[0], "dropped", "process_cpu_ms"));
            IntFunction<Double> share = k -> RoundTable.div(pending(k, v[0], "dropped", "thread_cpu_ms") / 10,
                    pending(k, v[0], "dropped", "cpu_window_s"));
            double m = table.row(v[1] + ", % of a core", share);
            if (v[0].equals("wheel")) {
                wheelShare = m;
            }
        }
        table.row("LoopTimers, loop turns in the window", k -> pending(k, "wheel", "dropped", "loop_turns"));
        table.row("window, s", k -> pending(k, "wheel", "dropped", "cpu_window_s"));
        table.verdict("idle loop thread, LoopTimers, % of a core", wheelShare, "<=", 1.0);
    }

    private double pending(int k, String variant, String handles, String key) {
        return v(k, "pending/pending-" + variant + "-" + handles + ".txt", "pending." + variant + "." + handles + "." + key);
    }

    private double ops(int k, String mode, String variant, String key) {
        return v(k, "ops-" + mode + "/ops-" + variant + ".txt", "ops." + variant + "." + key);
    }

    private double late(int k, String variant, String key) {
        return v(k, "lateness/latency-" + variant + ".txt", "lateness." + variant + "." + key);
    }

    private double cLateness(int k, String key) {
        return RoundTable.bracket(v(k, "lateness/c-before.txt", "lateness.c." + key),
                v(k, "lateness/c-after.txt", "lateness.c." + key));
    }

    private double v(int k, String file, String key) {
        return files.computeIfAbsent(dir.resolve("round-" + k).resolve(file), RoundTable::keyValues)
                .getOrDefault(key, Double.NaN);
    }
}
