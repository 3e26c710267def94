package io.aem.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Prints the table of {@code run-file-benchmarks.sh}: for each file system, each round's Java
 * figures beside the C reference runs that bracket them, the ratios per round and their medians,
 * and the targets.
 *
 * <p>Layout of the results directory, as the script writes it ({@code FS} is the file system's
 * type, {@code ext4} or {@code tmpfs}):
 * <pre>
 *   round-k/FS/latency/c-before.txt, c-after.txt     inotify_latency.c around the Java runs
 *   round-k/FS/latency/latency-watchservice.txt       FileEventLatency.watchService, one-way figures
 *   round-k/FS/latency/latency-flux.txt               FileEventLatency.flux, one-way figures
 *   round-k/FS/rate/c-before.txt, c-after.txt         inotify_rate.c around the Java runs
 *   round-k/FS/rate/rate-watchservice.txt, rate-flux.txt   FileEventRate
 *   round-k/FS/permission/none-before.txt, none-after.txt  open_latency.c with no mark
 *   round-k/FS/permission/c-before.txt, c-after.txt        open_latency.c with fanotify_allow.c answering
 *   round-k/FS/permission/flux.txt                         open_latency.c with PermissionListener answering
 * </pre>
 * Where a run is bracketed, its reference in round k is the mean of the run just before and the
 * run just after it. A missing file shows as "-".
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.FileSummary RESULTS_DIR ROUNDS FS[,FS...]}
 */
public final class FileSummary {
    private final Path dir;
    private final int rounds;
    private final Map<String, Map<String, Double>> files = new HashMap<>();
    private final StringBuilder out = new StringBuilder();
    private final RoundTable table;
    private String fs;

    private FileSummary(Path dir, int rounds) {
        this.dir = dir;
        this.rounds = rounds;
        this.table = new RoundTable(out, rounds, 44, 11, 52);
    }

    /**
     * Entry point.
     *
     * @param args the results directory, the number of rounds, the file systems
     * @throws IOException when a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: FileSummary RESULTS_DIR ROUNDS FS[,FS...]");
            System.exit(2);
        }
        FileSummary s = new FileSummary(Path.of(args[0]), Integer.parseInt(args[1]));
        for (String fs : args[2].split(",")) {
            s.print(fs);
        }
        System.out.print(s.out);
    }

    private void print(String fsName) throws IOException {
        this.fs = fsName;
        out.append('\n').append("=== ").append(fs).append(" ===\n");
        if (any("latency")) {
            latency();
        }
        if (any("rate")) {
            rate();
        }
        if (any("permission")) {
            permission();
        }
    }

    private boolean any(String bench) {
        for (int k = 1; k <= rounds; k++) {
            if (Files.isDirectory(dir.resolve("round-" + k).resolve(fs).resolve(bench))) {
                return true;
            }
        }
        return false;
    }

    private void latency() throws IOException {
        table.header("close() -> IN_CLOSE_WRITE in hand, writer CPU " + Cpus.SENDER + ", receiver CPU " + Cpus.RECEIVER + ", " + fs
                + " (us, one-way)");
        for (String p : new String[] {"p50", "p90", "p99"}) {
            table.row("C inotify       close->event " + p, k -> bracket(k, "latency/c", "latency.c.close." + p + "_us"));
            table.row("Flux            close->event " + p, k -> v(k, "latency/latency-flux.txt", "latency.flux.close." + p + "_us"));
            table.row("JDK WatchService close->take " + p,
                    k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.close." + p + "_us"));
        }
        for (String p : new String[] {"p50", "p99"}) {
            table.row("C inotify       write->event " + p, k -> bracket(k, "latency/c", "latency.c.write." + p + "_us"));
            table.row("Flux            write->event " + p, k -> v(k, "latency/latency-flux.txt", "latency.flux.write." + p + "_us"));
            table.row("JDK WatchService write->take " + p,
                    k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.write." + p + "_us"));
        }
        double fluxC = table.ratioRow("Flux / C close->event p50", k -> v(k, "latency/latency-flux.txt", "latency.flux.close.p50_us"),
                k -> bracket(k, "latency/c", "latency.c.close.p50_us"));
        table.ratioRow("Flux / C close->event p99", k -> v(k, "latency/latency-flux.txt", "latency.flux.close.p99_us"),
                k -> bracket(k, "latency/c", "latency.c.close.p99_us"));
        double jdkFlux = table.ratioRow("JDK write->take / Flux close->event p50",
                k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.write.p50_us"),
                k -> v(k, "latency/latency-flux.txt", "latency.flux.close.p50_us"));
        double sameStart = table.ratioRow("JDK write->take / Flux write->event p50",
                k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.write.p50_us"),
                k -> v(k, "latency/latency-flux.txt", "latency.flux.write.p50_us"));
        table.ratioRow("JDK write->take / C close->event p50",
                k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.write.p50_us"),
                k -> bracket(k, "latency/c", "latency.c.close.p50_us"));
        table.row("Flux receiver bytes allocated per event",
                k -> v(k, "latency/latency-flux.txt", "latency.flux.receiver_alloc_bytes_per_event"));
        table.row("JDK receiver bytes allocated per event",
                k -> v(k, "latency/latency-watchservice.txt", "latency.watchservice.receiver_alloc_bytes_per_event"));
        table.row("mismatched events C / Flux / JDK (sum)", k -> sum(bracketSum(k, "latency/c", "latency.c.mismatched_events"),
                v(k, "latency/latency-flux.txt", "latency.flux.mismatched_events"),
                v(k, "latency/latency-watchservice.txt", "latency.watchservice.mismatched_events")));
        table.verdict(fs + ": Flux close->event p50 / C", fluxC, "<=", 1.5);
        table.verdict(fs + ": JDK write->take p50 / Flux close->event p50", jdkFlux, ">=", 3.0);
        out.append(String.format(Locale.ROOT, "  (same start, before write(): JDK write->take / Flux write->event p50 = %s)%n",
                RoundTable.fmt(sameStart)));
    }

    private void rate() throws IOException {
        table.header("sustained event rate, producer CPU " + Cpus.SENDER + " (create+close+unlink), receiver CPU " + Cpus.RECEIVER
                + ", " + fs);
        table.row("C inotify     events/s received", k -> bracket(k, "rate/c", "rate.c.events_per_s"));
        table.row("Flux          events/s received", k -> v(k, "rate/rate-flux.txt", "rate.flux.events_per_s"));
        table.row("JDK WatchSvc  events/s received", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.events_per_s"));
        table.row("producer ops/s beside C (mean)", k -> bracket(k, "rate/c", "rate.c.producer.ops_per_s"));
        table.row("producer ops/s beside Flux", k -> v(k, "rate/rate-flux.txt", "rate.flux.producer.ops_per_s"));
        table.row("producer ops/s beside JDK", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.producer.ops_per_s"));
        table.row("C     events expected (sum of 2)", k -> bracketSum(k, "rate/c", "rate.c.expected"));
        table.row("C     events lost (sum of 2)", k -> bracketSum(k, "rate/c", "rate.c.lost"));
        table.row("C     overflows (sum of 2)", k -> bracketSum(k, "rate/c", "rate.c.overflows"));
        table.row("Flux  events expected", k -> v(k, "rate/rate-flux.txt", "rate.flux.expected"));
        table.row("Flux  events lost", k -> v(k, "rate/rate-flux.txt", "rate.flux.lost"));
        table.row("Flux  OVERFLOW events", k -> v(k, "rate/rate-flux.txt", "rate.flux.overflows"));
        table.row("JDK   events expected (2 per op)", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.expected"));
        table.row("JDK   events lost", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.lost"));
        table.row("JDK   OVERFLOW events", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.overflows"));
        table.row("Flux  last event after producer end, us", k -> v(k, "rate/rate-flux.txt", "rate.flux.lag_after_producer_us"));
        table.row("Flux  events per loop turn", k -> v(k, "rate/rate-flux.txt", "rate.flux.events_per_loop_turn"));
        table.row("C     events per read", k -> bracket(k, "rate/c", "rate.c.events_per_read"));
        double ratio = table.ratioRow("Flux / C events/s", k -> v(k, "rate/rate-flux.txt", "rate.flux.events_per_s"),
                k -> bracket(k, "rate/c", "rate.c.events_per_s"));
        table.ratioRow("JDK / C events/s", k -> v(k, "rate/rate-watchservice.txt", "rate.watchservice.events_per_s"),
                k -> bracket(k, "rate/c", "rate.c.events_per_s"));
        double lost = 0;
        int have = 0;
        for (int k = 1; k <= rounds; k++) {
            double l = v(k, "rate/rate-flux.txt", "rate.flux.lost");
            double o = v(k, "rate/rate-flux.txt", "rate.flux.overflows");
            if (!Double.isNaN(l) && !Double.isNaN(o)) {
                lost += l + o;
                have++;
            }
        }
        out.append(String.format(Locale.ROOT, "target: %s: Flux zero loss at the C producer's rate: %s%n", fs,
                have == 0 ? "NO DATA" : lost == 0 ? "MET (0 lost, 0 overflows in " + have + " rounds; Flux/C events/s "
                        + RoundTable.fmt(ratio) + ")" : "NOT MET (lost + overflows = " + RoundTable.fmt(lost) + ")"));
    }

    private void permission() throws IOException {
        table.header("open() with a FAN_OPEN_PERM listener answering allow, opener CPU " + Cpus.SENDER + ", listener CPU "
                + Cpus.RECEIVER + ", " + fs + " (us)");
        for (String p : new String[] {"p50", "p99"}) {
            table.row("(a) no mark            open " + p, k -> bracket(k, "permission/none", "perm.none.open." + p + "_us"));
            table.row("(b) C listener         open " + p, k -> bracket(k, "permission/c", "perm.c.open." + p + "_us"));
            table.row("(c) Flux listener      open " + p, k -> v(k, "permission/flux.txt", "perm.flux.open." + p + "_us"));
        }
        double ratio50 = Double.NaN;
        for (String p : new String[] {"p50", "p99"}) {
            IntFunction<Double> a = k -> bracket(k, "permission/none", "perm.none.open." + p + "_us");
            IntFunction<Double> b = k -> bracket(k, "permission/c", "perm.c.open." + p + "_us");
            IntFunction<Double> c = k -> v(k, "permission/flux.txt", "perm.flux.open." + p + "_us");
            table.row("added by C listener   b-a " + p, k -> b.apply(k) - a.apply(k));
            table.row("added by Flux         c-a " + p, k -> c.apply(k) - a.apply(k));
            double r = table.ratioRow("(c-a)/(b-a) " + p, k -> c.apply(k) - a.apply(k), k -> b.apply(k) - a.apply(k));
            if (p.equals("p50")) {
                ratio50 = r;
            }
        }
        out.append(String.format(Locale.ROOT, "  %s: added latency Flux / C p50 = %s (no target given)%n", fs, RoundTable.fmt(ratio50)));
    }

    // ---- values ----

    private double v(int k, String file, String key) {
        return load(k, file).getOrDefault(key, Double.NaN);
    }

    /** Mean of {@code <prefix>-before.txt} and {@code <prefix>-after.txt}, or the one present. */
    private double bracket(int k, String prefix, String key) {
        double b = v(k, prefix + "-before.txt", key);
        double a = v(k, prefix + "-after.txt", key);
        return RoundTable.bracket(b, a);
    }

    private double bracketSum(int k, String prefix, String key) {
        return sum(v(k, prefix + "-before.txt", key), v(k, prefix + "-after.txt", key));
    }

    private static double sum(double... values) {
        double s = 0;
        boolean any = false;
        for (double x : values) {
            if (!Double.isNaN(x)) {
                s += x;
                any = true;
            }
        }
        return any ? s : Double.NaN;
    }

    private Map<String, Double> load(int k, String file) {
        Path path = dir.resolve("round-" + k).resolve(fs).resolve(file);
        return files.computeIfAbsent(path.toString(), p -> RoundTable.keyValues(path));
    }

}
