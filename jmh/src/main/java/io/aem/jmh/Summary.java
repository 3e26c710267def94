package io.aem.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the table of {@code run-benchmarks.sh}: the Java figures of each round beside the C
 * reference runs that bracket it, the ratios per round, and their medians.
 *
 * <p>Layout of the results directory, as the script writes it:
 * <pre>
 *   round-k/c-latency-before.txt, c-latency-after.txt        C ping-pong runs around the Java latency runs of round k
 *   round-k/c-throughput-before.txt, c-throughput-after.txt  C throughput runs (write per signal) around the Java throughput runs
 *   round-k/c-doorbell-before.txt, c-doorbell-after.txt      C throughput runs (doorbell), just inside those
 *   round-k/*.csv                                            JMH results of round k, one file per benchmark
 *   round-k/latency-flux.txt, latency-jna.txt                one-way figures of the two Java ping-pongs
 *   round-k/throughput-flux.txt                              the loop's turns and allocation per event under load
 *   signal-cost/*.csv                                        JMH single-call costs, run once
 * </pre>
 * The C files hold "key value" lines. The C reference of round k is the mean of the run just
 * before and the run just after the Java runs it is compared with, so that slow drifts of the
 * machine cancel out as far as they can.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.Summary RESULTS_DIR ROUNDS}
 */
public final class Summary {
    private static final String PKG = "io.aem.jmh.";

    private final List<Map<String, Double>> before = new ArrayList<>();
    private final List<Map<String, Double>> after = new ArrayList<>();
    private final List<Map<String, Double>> java = new ArrayList<>();
    private final Map<String, Double> singleCall;
    private final int rounds;
    private final StringBuilder out = new StringBuilder();
    private final RoundTable table;

    private Summary(Path dir, int rounds) throws IOException {
        this.rounds = rounds;
        this.table = new RoundTable(out, rounds, 40, 12, 40);
        for (int k = 1; k <= rounds; k++) {
            Path r = dir.resolve("round-" + k);
            Map<String, Double> b = RoundTable.keyValues(r.resolve("c-latency-before.txt"));
            b.putAll(RoundTable.keyValues(r.resolve("c-throughput-before.txt")));
            b.putAll(RoundTable.keyValues(r.resolve("c-doorbell-before.txt")));
            before.add(b);
            Map<String, Double> a = RoundTable.keyValues(r.resolve("c-latency-after.txt"));
            a.putAll(RoundTable.keyValues(r.resolve("c-throughput-after.txt")));
            a.putAll(RoundTable.keyValues(r.resolve("c-doorbell-after.txt")));
            after.add(a);
            Map<String, Double> m = RoundTable.keyValues(r.resolve("latency-flux.txt"));
            m.putAll(RoundTable.keyValues(r.resolve("latency-jna.txt")));
            m.putAll(RoundTable.keyValues(r.resolve("throughput-flux.txt")));
            m.putAll(jmhCsvs(r));
            java.add(m);
        }
        singleCall = jmhCsvs(dir.resolve("signal-cost"));
    }

    /**
     * Entry point.
     *
     * @param args the results directory and the number of rounds
     * @throws IOException when a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Summary RESULTS_DIR ROUNDS");
            System.exit(2);
        }
        Summary s = new Summary(Path.of(args[0]), Integer.parseInt(args[1]));
        s.print();
        System.out.print(s.out);
    }

    private void print() {
        table.header("eventfd one-way latency, signal -> event in hand, receiver CPU " + Cpus.RECEIVER + ", sender CPU "
                + Cpus.SENDER + " (us)");
        table.row("C reference      p50", k -> cRef(k, "latency.c.oneway.p50_us"));
        table.row("JNA direct       p50", k -> j(k, "latency.jna.oneway.p50_us"));
        table.row("Flux (UserEvents)p50", k -> j(k, "latency.flux.oneway.p50_us"));
        table.row("C reference      p99", k -> cRef(k, "latency.c.oneway.p99_us"));
        table.row("JNA direct       p99", k -> j(k, "latency.jna.oneway.p99_us"));
        table.row("Flux (UserEvents)p99", k -> j(k, "latency.flux.oneway.p99_us"));
        double fluxLatency = table.ratioRow("Flux / C         p50 (ratio)", k -> j(k, "latency.flux.oneway.p50_us"),
                k -> cRef(k, "latency.c.oneway.p50_us"));
        table.ratioRow("JNA / C          p50 (ratio)", k -> j(k, "latency.jna.oneway.p50_us"), k -> cRef(k, "latency.c.oneway.p50_us"));
        table.ratioRow("Flux / JNA       p50 (ratio)", k -> j(k, "latency.flux.oneway.p50_us"), k -> j(k, "latency.jna.oneway.p50_us"));
        table.ratioRow("Flux / C         p99 (ratio)", k -> j(k, "latency.flux.oneway.p99_us"), k -> cRef(k, "latency.c.oneway.p99_us"));
        table.row("Flux loop turns per event", k -> j(k, "latency.flux.loop_turns_per_event"));
        table.row("Flux loop bytes allocated per event", k -> j(k, "latency.flux.receiver_alloc_bytes_per_event"));
        table.row("Flux events with a count other than 1", k -> j(k, "latency.flux.events_not_1"));

        table.header("eventfd round trip: signal, wake, answer, wake (us; Java: JMH SampleTime)");
        table.row("C reference      p50", k -> cRef(k, "latency.c.roundtrip.p50_us"));
        table.row("JNA direct       p50", k -> j(k, PKG + "EventFdLatency.jnaDirect:p0.50"));
        table.row("Flux (UserEvents)p50", k -> j(k, PKG + "EventFdLatency.flux:p0.50"));
        table.row("C reference      p99", k -> cRef(k, "latency.c.roundtrip.p99_us"));
        table.row("JNA direct       p99", k -> j(k, PKG + "EventFdLatency.jnaDirect:p0.99"));
        table.row("Flux (UserEvents)p99", k -> j(k, PKG + "EventFdLatency.flux:p0.99"));
        table.ratioRow("Flux / C         p50 (ratio)", k -> j(k, PKG + "EventFdLatency.flux:p0.50"), k -> cRef(k, "latency.c.roundtrip.p50_us"));

        String flux = PKG + "UserEventThroughput.flux";
        String jna = PKG + "UserEventThroughput.jnaDirect";
        table.header("user-event throughput, writer CPU " + Cpus.SENDER + " -> reader CPU " + Cpus.RECEIVER
                + " (signals delivered per second)");
        table.row("C, write per signal (target's ref.)", k -> cRef(k, "throughput.c.signals_per_s"));
        table.row("C, doorbell (as UserEvents)", k -> cRef(k, "throughput.cdoorbell.signals_per_s"));
        table.row("JNA direct, write per signal", k -> j(k, jna + ":signals"));
        table.row("Flux (UserEvents)", k -> j(k, flux + ":signals"));
        double fluxThroughput = table.ratioRow("Flux / C write, the target's (ratio)", k -> j(k, flux + ":signals"),
                k -> cRef(k, "throughput.c.signals_per_s"));
        double likeForLike = table.ratioRow("Flux / C doorbell, like for like (ratio)", k -> j(k, flux + ":signals"),
                k -> cRef(k, "throughput.cdoorbell.signals_per_s"));
        table.ratioRow("JNA / C write (ratio)", k -> j(k, jna + ":signals"), k -> cRef(k, "throughput.c.signals_per_s"));
        table.header("... events per second (onNext calls; C: reads or exchanges that returned a count), signals per event");
        table.row("C write       events/s", k -> cRef(k, "throughput.c.events_per_s"));
        table.row("C doorbell    events/s", k -> cRef(k, "throughput.cdoorbell.events_per_s"));
        table.row("JNA direct    events/s", k -> j(k, jna + ":events"));
        table.row("Flux          events/s", k -> j(k, flux + ":events"));
        table.row("C write       signals/event", k -> cRef(k, "throughput.c.signals_per_event"));
        table.row("C doorbell    signals/event", k -> cRef(k, "throughput.cdoorbell.signals_per_event"));
        table.row("JNA direct    signals/event", k -> RoundTable.div(j(k, jna + ":signals"), j(k, jna + ":events")));
        table.row("Flux          signals/event", k -> RoundTable.div(j(k, flux + ":signals"), j(k, flux + ":events")));
        table.row("C doorbell    writes (rings)/s", k -> cRef(k, "throughput.cdoorbell.rings_per_s"));
        table.row("Flux loop turns per event", k -> j(k, "throughput.flux.loop_turns_per_event"));
        table.row("Flux loop bytes allocated per event", k -> j(k, "throughput.flux.receiver_alloc_bytes_per_event"));
        table.row("Flux % of events with a count > 127", k -> 100 * j(k, "throughput.flux.events_over_127_share"));

        double cWrite = table.row("C write alone, ns (see below)", k -> cRef(k, "throughput.c.write_alone_ns"));
        double cRead = table.row("C read EAGAIN, ns (see below)", k -> cRef(k, "throughput.c.read_empty_ns"));
        double cAdd = table.row("C fetch_add alone, ns (see below)", k -> cRef(k, "throughput.cdoorbell.fetch_add_alone_ns"));
        out.append('\n').append("single-thread cost of one call, no other thread involved (ns; C: median of the rounds)\n");
        single("C write(eventfd, 1)", cWrite, cWrite, "C write");
        single("JNA write(eventfd, 1)", cost("jnaWrite"), cWrite, "C write");
        single("UserEvents.signal(), rings", cost("userEventsSignalRing"), cWrite, "C write");
        single("JNA call, no system call", cost("jnaCallNoSyscall"), cWrite, "C write");
        single("C atomic_fetch_add", cAdd, cAdd, "C fetch_add");
        single("UserEvents.signal(), no ring", cost("userEventsSignal"), cAdd, "C fetch_add");
        single("C read(empty eventfd)", cRead, cRead, "C read");
        single("JNA read(empty eventfd)", cost("jnaReadEmpty"), cRead, "C read");

        out.append('\n');
        table.verdict("Flux one-way latency p50 / C", fluxLatency, "<=", 1.25);
        table.verdict("Flux signals/s / C write signals/s", fluxThroughput, ">=", 0.90);
        out.append(String.format(Locale.ROOT, "like for like (no target): Flux signals/s / C doorbell signals/s  measured %s"
                + " (median of %d rounds)%n", RoundTable.fmt(likeForLike), rounds));
    }

    private double cost(String benchmark) {
        return singleCall.getOrDefault(PKG + "SignalCost." + benchmark, Double.NaN);
    }

    private void single(String label, double ns, double ref, String refName) {
        out.append(String.format(Locale.ROOT, "  %-40s%12s   %s x %s%n", label, RoundTable.fmt(ns), RoundTable.fmt(RoundTable.div(ns, ref)), refName));
    }

    /** The C reference of round k: the mean of the runs just before and just after its Java runs. */
    private double cRef(int k, String key) {
        return RoundTable.bracket(before.get(k - 1).getOrDefault(key, Double.NaN),
                after.get(k - 1).getOrDefault(key, Double.NaN));
    }

    private double j(int k, String key) {
        return java.get(k - 1).getOrDefault(key, Double.NaN);
    }

    /** Every JMH CSV of a directory, merged. */
    private static Map<String, Double> jmhCsvs(Path dir) throws IOException {
        Map<String, Double> m = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".csv")).sorted()::iterator) {
                m.putAll(jmhCsv(f));
            }
        }
        return m;
    }

    /** JMH's CSV: benchmark name (with ":secondary" suffix) to score. */
    private static Map<String, Double> jmhCsv(Path file) throws IOException {
        Map<String, Double> m = new HashMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            List<String> cells = csv(line);
            if (cells.size() >= 5) {
                try {
                    m.put(cells.get(0), Double.parseDouble(cells.get(4)));
                } catch (NumberFormatException e) {
                    // NaN or empty
                }
            }
        }
        return m;
    }

    private static List<String> csv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
