package io.aem.jmh;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Prints the table of {@code run-process-benchmarks.sh}: the exit latency of each round beside
 * the C pidfd runs that bracket it, with the ratios and their medians; the spawn rate of both
 * sides per round; the footprint of many children; and the targets.
 *
 * <p>Layout of the results directory, as the script writes it:
 * <pre>
 *   round-k/exit/c-before.txt, c-after.txt     pidfd_exit.c around the Java runs
 *   round-k/exit/latency-flux.txt              ProcessExitLatency flux
 *   round-k/exit/latency-onexit.txt            ProcessExitLatency onexit
 *   round-k/spawn/spawn-aem.txt, spawn-jdk.txt SpawnRate
 *   children/children-aem.txt, children-jdk.txt ChildrenFootprint (one run each)
 * </pre>
 * The C reference of round k is the mean of the run just before and the run just after the Java
 * runs. A missing file shows as "-".
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.ProcessSummary RESULTS_DIR ROUNDS}
 */
public final class ProcessSummary {
    private final Path dir;
    private final int rounds;
    private final Map<Path, Map<String, Double>> files = new HashMap<>();
    private final StringBuilder out = new StringBuilder();
    private final RoundTable table;

    private ProcessSummary(Path dir, int rounds) {
        this.dir = dir;
        this.rounds = rounds;
        this.table = new RoundTable(out, rounds, 44, 11, 52);
    }

    /**
     * Entry point.
     *
     * @param args the results directory and the number of rounds
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ProcessSummary RESULTS_DIR ROUNDS");
            System.exit(2);
        }
        ProcessSummary s = new ProcessSummary(Path.of(args[0]), Integer.parseInt(args[1]));
        s.exit();
        s.spawn();
        s.children();
        System.out.print(s.out);
    }

    private void exit() {
        table.header("child's last instruction -> exit in the parent's hands, receiver CPU " + Cpus.RECEIVER
                + ", child CPU " + Cpus.SENDER + " (us)");
        for (String p : new String[] {"p50", "p90", "p99"}) {
            table.row("C pidfd + epoll              " + p, k -> bracket(k, "exit/c", "exit.c." + p + "_us"));
            table.row("Flux (Aem.exec, onNext)      " + p, k -> v(k, "exit/latency-flux.txt", "exit.flux." + p + "_us"));
            table.row("JDK ProcessHandle.onExit()   " + p, k -> v(k, "exit/latency-onexit.txt", "exit.onexit." + p + "_us"));
        }
        IntFunction<Double> flux50 = k -> v(k, "exit/latency-flux.txt", "exit.flux.p50_us");
        double fluxC = table.ratioRow("Flux / C p50", flux50, k -> bracket(k, "exit/c", "exit.c.p50_us"));
        table.ratioRow("Flux / C p99", k -> v(k, "exit/latency-flux.txt", "exit.flux.p99_us"),
                k -> bracket(k, "exit/c", "exit.c.p99_us"));
        double jdkFlux = table.ratioRow("JDK onExit() / Flux p50", k -> v(k, "exit/latency-onexit.txt", "exit.onexit.p50_us"),
                flux50);
        table.ratioRow("JDK onExit() / C p50",
                k -> v(k, "exit/latency-onexit.txt", "exit.onexit.p50_us"), k -> bracket(k, "exit/c", "exit.c.p50_us"));
        table.verdict("exit -> onNext p50, Flux / C", fluxC, "<=", 1.2);
        table.verdict("exit p50, JDK onExit() / Flux", jdkFlux, ">=", 4.0);
    }

    private void spawn() {
        table.header("children of /bin/true started and exited, back to back (window in the results)");
        table.row("library (ChildProcess.start) per second", k -> v(k, "spawn/spawn-aem.txt", "spawn.aem.per_second"));
        table.row("JDK (ProcessBuilder.start) per second", k -> v(k, "spawn/spawn-jdk.txt", "spawn.jdk.per_second"));
        table.row("library start call p50, us", k -> v(k, "spawn/spawn-aem.txt", "spawn.aem.start_call.p50_us"));
        table.row("JDK start call p50, us", k -> v(k, "spawn/spawn-jdk.txt", "spawn.jdk.start_call.p50_us"));
        table.row("library start call p99, us", k -> v(k, "spawn/spawn-aem.txt", "spawn.aem.start_call.p99_us"));
        table.row("JDK start call p99, us", k -> v(k, "spawn/spawn-jdk.txt", "spawn.jdk.start_call.p99_us"));
        double r = table.ratioRow("library / JDK children per second", k -> v(k, "spawn/spawn-aem.txt", "spawn.aem.per_second"),
                k -> v(k, "spawn/spawn-jdk.txt", "spawn.jdk.per_second"));
        out.append(String.format(Locale.ROOT, "  spawn rate, library / JDK = %s (no target given)%n", RoundTable.fmt(r)));
    }

    private void children() {
        Map<String, Double> aem = load(dir.resolve("children").resolve("children-aem.txt"));
        Map<String, Double> jdk = load(dir.resolve("children").resolve("children-jdk.txt"));
        out.append('\n').append(String.format(Locale.ROOT, "children supervised at once: %s (one run each)%n",
                RoundTable.fmt(aem.getOrDefault("children.aem.count", jdk.getOrDefault("children.jdk.count", Double.NaN)))));
        out.append(String.format(Locale.ROOT, "  %-44s%14s%14s%n", "", "library", "JDK"));
        String[][] rows = {
            {"threads before", "threads_before"}, {"threads while they run", "threads_running"},
            {"threads after they all exited", "threads_after"}, {"heap after GC before, bytes", "heap_before_bytes"},
            {"heap after GC while they run, bytes", "heap_running_bytes"}, {"heap after GC after, bytes", "heap_after_bytes"},
            {"RSS before, kB", "rss_before_kb"}, {"RSS while they run, kB", "rss_running_kb"},
            {"RSS after, kB", "rss_after_kb"}, {"time to start them all, s", "start_seconds"},
            {"time from kill to the last exit seen, s", "exits_seconds"},
        };
        for (String[] row : rows) {
            out.append(String.format(Locale.ROOT, "  %-44s%14s%14s%n", row[0],
                    RoundTable.fmt(aem.getOrDefault("children.aem." + row[1], Double.NaN)),
                    RoundTable.fmt(jdk.getOrDefault("children.jdk." + row[1], Double.NaN))));
        }
        double count = aem.getOrDefault("children.aem.count", Double.NaN);
        double added = aem.getOrDefault("children.aem.threads_running", Double.NaN)
                - aem.getOrDefault("children.aem.threads_before", Double.NaN);
        double heapPer = (aem.getOrDefault("children.aem.heap_running_bytes", Double.NaN)
                - aem.getOrDefault("children.aem.heap_before_bytes", Double.NaN)) / count;
        double jdkAdded = jdk.getOrDefault("children.jdk.threads_running", Double.NaN)
                - jdk.getOrDefault("children.jdk.threads_before", Double.NaN);
        out.append(String.format(Locale.ROOT, "  library heap per supervised child: %s bytes%n", RoundTable.fmt(heapPer)));
        out.append(String.format(Locale.ROOT, "target: no thread per child: library added %s threads for %s children (JDK %s)  %s%n",
                RoundTable.fmt(added), RoundTable.fmt(count), RoundTable.fmt(jdkAdded),
                Double.isNaN(added) ? "NO DATA" : added <= 1 ? "MET" : "NOT MET"));
    }

    private double v(int k, String file, String key) {
        return load(dir.resolve("round-" + k).resolve(file)).getOrDefault(key, Double.NaN);
    }

    private double bracket(int k, String prefix, String key) {
        double b = v(k, prefix + "-before.txt", key);
        double a = v(k, prefix + "-after.txt", key);
        return RoundTable.bracket(b, a);
    }

    private Map<String, Double> load(Path file) {
        return files.computeIfAbsent(file, RoundTable::keyValues);
    }
}
