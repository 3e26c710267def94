package io.aem.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the table of {@code run-bpf-benchmarks.sh}: the kernel timestamp → consumer latency of
 * each round beside the C runs that bracket it, with the ratios; the drain rates of both sides;
 * the count balance (delivered + lost == produced) of every run; and the targets.
 *
 * <p>Layout of the results directory, as the script writes it:
 * <pre>
 *   round-k/latency/c-before.txt, c-after.txt            bpf_consumer.c latency around the Java run
 *   round-k/latency/latency-flux.txt                     BpfLatency
 *   round-k/drain/c-MODE-before.txt, c-MODE-after.txt    bpf_consumer.c drain MODE around the Java run
 *   round-k/drain/latency-drain-MODE.txt                 BpfDrainRate MODE (MODE: backlog, live)
 * </pre>
 * A missing file shows as "-"; a benchmark with no file in any round gets no section.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.BpfSummary RESULTS_DIR ROUNDS}
 */
public final class BpfSummary {
    private static final double LATENCY_TARGET = 1.5;
    private static final double DRAIN_TARGET = 1_000_000;

    private final Path dir;
    private final int rounds;
    private final Map<Path, Map<String, Double>> files = new HashMap<>();
    private final StringBuilder out = new StringBuilder();
    private final RoundTable table;

    private BpfSummary(Path dir, int rounds) {
        this.dir = dir;
        this.rounds = rounds;
        this.table = new RoundTable(out, rounds, 44, 12, 52);
    }

    /**
     * Entry point.
     *
     * @param args the results directory and the number of rounds
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: BpfSummary RESULTS_DIR ROUNDS");
            System.exit(2);
        }
        BpfSummary s = new BpfSummary(Path.of(args[0]), Integer.parseInt(args[1]));
        s.latency();
        s.drain();
        System.out.print(s.out);
    }

    private void latency() {
        if (!ran("latency/latency-flux.txt")) {
            return;
        }
        table.header("record's bpf_ktime_get_ns() -> consumer holds it, one fchmod at a time, consumer CPU "
                + Cpus.RECEIVER + ", producer CPU " + Cpus.SENDER + " (us)");
        for (String p : new String[] {"p50", "p90", "p99", "p999"}) {
            table.row("C libbpf ring_buffer__poll    " + p, k -> bracket(k, "latency/c", "bpf.c." + p + "_us"));
            table.row("Flux (Aem.attributeChanges)   " + p, k -> v(k, "latency/latency-flux.txt", "bpf.flux." + p + "_us"));
        }
        double r50 = table.ratioRow("Flux / C p50", k -> v(k, "latency/latency-flux.txt", "bpf.flux.p50_us"),
                k -> bracket(k, "latency/c", "bpf.c.p50_us"));
        table.ratioRow("Flux / C p99", k -> v(k, "latency/latency-flux.txt", "bpf.flux.p99_us"),
                k -> bracket(k, "latency/c", "bpf.c.p99_us"));
        table.verdict("kernel -> onNext p50, Flux / C", r50, "<=", LATENCY_TARGET);
    }

    private void drain() {
        for (String mode : new String[] {"backlog", "live"}) {
            String java = "drain/latency-drain-" + mode + ".txt";
            String jk = "drain.flux." + mode + ".";
            String ck = "drain.c." + mode + ".";
            String c = "drain/c-" + mode;
            if (!ran(java) && !ran(c + "-before.txt")) {
                continue;
            }
            table.header(mode.equals("backlog")
                    ? "backlog drain: records of a full ring delivered after demand arrives (records/s)"
                    : "live drain: unbounded demand while the producer runs, bounded by the producer (records/s)");
            double flux = table.row("Flux delivered per second", k -> v(k, java, jk + "per_second"));
            table.row("C libbpf delivered per second", k -> bracket(k, c, ck + "per_second"));
            table.row("Flux first cycle (JIT warming up)", k -> v(k, java, "warmup-1." + jk + "per_second"));
            table.ratioRow("Flux / C", k -> v(k, java, jk + "per_second"), k -> bracket(k, c, ck + "per_second"));
            table.row("producer calls per second (Flux run)", k -> v(k, java, jk + "producer_per_second"));
            table.row("Flux produced", k -> v(k, java, jk + "produced"));
            table.row("Flux delivered", k -> v(k, java, jk + "delivered"));
            table.row("Flux lost (Lost events)", k -> v(k, java, jk + "lost"));
            table.row("Flux GC collections during it", k -> v(k, java, jk + "gc_count"));
            boolean balanced = true;
            int runs = 0;
            for (int k = 1; k <= rounds; k++) {
                for (String f : new String[] {java, c + "-before.txt", c + "-after.txt"}) {
                    String key = (f.equals(java) ? jk : ck) + "balance";
                    double b = v(k, f, key);
                    if (!Double.isNaN(b)) {
                        runs++;
                        balanced &= b == 0;
                    }
                }
            }
            out.append(String.format(Locale.ROOT, "  delivered + lost == produced in %s of %d runs%n",
                    runs == 0 ? "-" : balanced ? "all" : "NOT all", runs));
            if (mode.equals("backlog")) {
                out.append(String.format(Locale.ROOT, "target: %-52s >= %s  measured %s (median of %d rounds)  %s%n",
                        "Flux drain of a full ring, records/s", RoundTable.fmt(DRAIN_TARGET), RoundTable.fmt(flux), rounds,
                        Double.isNaN(flux) ? "NO DATA" : flux >= DRAIN_TARGET && balanced ? "MET" : "NOT MET"));
            } else {
                out.append(String.format(Locale.ROOT, "  (no target: the producer, not the consumer, sets this rate)%n"));
            }
        }
    }

    /** Whether some round has this file: a benchmark the run left out gets no section. */
    private boolean ran(String file) {
        for (int k = 1; k <= rounds; k++) {
            if (Files.exists(dir.resolve("round-" + k).resolve(file))) {
                return true;
            }
        }
        return false;
    }

    private double v(int k, String file, String key) {
        return load(dir.resolve("round-" + k).resolve(file)).getOrDefault(key, Double.NaN);
    }

    private double bracket(int k, String prefix, String key) {
        return RoundTable.bracket(v(k, prefix + "-before.txt", key), v(k, prefix + "-after.txt", key));
    }

    private Map<String, Double> load(Path file) {
        return files.computeIfAbsent(file, RoundTable::keyValues);
    }
}
