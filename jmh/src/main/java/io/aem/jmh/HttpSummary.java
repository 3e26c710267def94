package io.aem.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints the table of {@code run-http-scalability.sh} from its results directory
 * ({@code results.tsv}, see {@link HttpResults}, and {@code machine.txt}).
 *
 * <p>First, per number of idle connections N, the medians over the rounds of each server's
 * requests/s and latency p50/p99; the AEMhttpd / reactor-netty throughput ratio (taken in each
 * round, where the two ran one after the other, then the median); AEMhttpd's median throughput
 * relative to its median at the smallest N; and how many idle connections were still open after
 * each server's runs (the fewest over the rounds). Then the requests/s of every round
 * ({@link RoundTable}), the notes (socket errors, idle connections not made, wrk connections not
 * accepted; the byte comparison of the two responses), and the two targets with MET / NOT MET:
 * <ul>
 *   <li>AEMhttpd's throughput stays within 10 % from the smallest to the largest N: at every N its
 *       median is at least 0.90 of the smallest N's;</li>
 *   <li>AEMhttpd's requests/s are at least reactor-netty's: the median ratio is at least 1.00 at
 *       every N (the smallest is reported), and over all points.</li>
 * </ul>
 * A target whose figures are missing is NO DATA.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.HttpSummary RESULTS_DIR ROUNDS}
 */
public final class HttpSummary {
    private static final String AEM = "aem";
    private static final String NETTY = "netty";

    private HttpSummary() {
    }

    /**
     * Entry point.
     *
     * @param args the results directory and the number of rounds
     * @throws IOException when a file cannot be read or is malformed
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: HttpSummary RESULTS_DIR ROUNDS");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        HttpResults results = HttpResults.read(dir.resolve("results.tsv"));
        System.out.print(summary(results, Integer.parseInt(args[1]), dir.resolve("machine.txt")));
    }

    private static String summary(HttpResults r, int rounds, Path machine) throws IOException {
        StringBuilder out = new StringBuilder();
        List<Integer> ns = r.idleCounts();
        out.append(String.format(Locale.ROOT,
                "%nHTTP GET /hello: wrk keep-alive connections, N idle connections held by another process;"
                        + " medians of %d round(s)%n", rounds));
        out.append(String.format(Locale.ROOT, "%8s | %-29s | %-29s | %9s | %10s | %s%n", "",
                HttpResults.label(AEM), HttpResults.label(NETTY), "", "AEMhttpd", "idle open after run"));
        out.append(String.format(Locale.ROOT, "%8s | %11s %8s %8s | %11s %8s %8s | %9s | %10s | %s%n", "idle N",
                "req/s", "p50 ms", "p99 ms", "req/s", "p50 ms", "p99 ms", "aem/netty", "vs first N",
                "aem / netty"));
        double first = ns.isEmpty() ? Double.NaN : r.median(AEM, ns.get(0), HttpResults.Row::rps);
        double worstScale = Double.NaN;
        double worstRatio = Double.NaN;
        double[] allRatios = new double[ns.size() * rounds];
        for (int i = 0; i < ns.size(); i++) {
            int n = ns.get(i);
            double aem = r.median(AEM, n, HttpResults.Row::rps);
            double netty = r.median(NETTY, n, HttpResults.Row::rps);
            double[] ratios = new double[rounds];
            for (int k = 1; k <= rounds; k++) {
                ratios[k - 1] = RoundTable.div(r.value(k, AEM, n, HttpResults.Row::rps),
                        r.value(k, NETTY, n, HttpResults.Row::rps));
                allRatios[i * rounds + k - 1] = ratios[k - 1];
            }
            double ratio = RoundTable.median(ratios);
            double scale = RoundTable.div(aem, first);
            worstScale = min(worstScale, scale);
            worstRatio = min(worstRatio, ratio);
            out.append(String.format(Locale.ROOT, "%8d | %11s %8s %8s | %11s %8s %8s | %9s | %10s | %s / %s%n", n,
                    RoundTable.fmt(aem), RoundTable.fmt(r.median(AEM, n, HttpResults.Row::p50Ms)),
                    RoundTable.fmt(r.median(AEM, n, HttpResults.Row::p99Ms)),
                    RoundTable.fmt(netty), RoundTable.fmt(r.median(NETTY, n, HttpResults.Row::p50Ms)),
                    RoundTable.fmt(r.median(NETTY, n, HttpResults.Row::p99Ms)),
                    RoundTable.fmt(ratio), RoundTable.fmt(scale), survivors(r, rounds, AEM, n),
                    survivors(r, rounds, NETTY, n)));
        }

        RoundTable table = new RoundTable(out, rounds, 28, 11, 62);
        table.header("requests/s per round");
        for (String server : new String[] {AEM, NETTY}) {
            if (!r.has(server)) {
                continue;
            }
            for (int n : ns) {
                table.row(String.format(Locale.ROOT, "%s N=%d", HttpResults.label(server), n),
                        k -> r.value(k, server, n, HttpResults.Row::rps));
            }
        }
        for (HttpResults.Row row : r.rows()) {
            if (row.socketErrors() > 0 || row.non2xx() > 0) {
                out.append(String.format(Locale.ROOT, "note: %s at N=%d, round %d: %.0f socket errors, %.0f non-2xx"
                        + " responses%n", HttpResults.label(row.server()), row.idle(), row.round(), row.socketErrors(),
                        row.non2xx()));
            }
            if (row.idleConnected() < row.idle()) {
                out.append(String.format(Locale.ROOT, "note: %s at N=%d, round %d: only %.0f idle connections were"
                        + " made and answered%n", HttpResults.label(row.server()), row.idle(), row.round(),
                        row.idleConnected()));
            }
        }
        if (Files.exists(machine)) {
            for (String line : Files.readAllLines(machine, StandardCharsets.UTF_8)) {
                if (line.startsWith("responses:") || line.startsWith("note:")) {
                    out.append(line).append('\n');
                }
            }
        }
        String range = ns.isEmpty() ? "" : " (N " + ns.get(0) + " to " + ns.get(ns.size() - 1) + ")";
        verdict(out, "AEMhttpd req/s at every N / at the first N" + range, worstScale, 0.90, "lowest of the medians");
        verdict(out, "AEMhttpd req/s / reactor-netty req/s at every N", worstRatio, 1.00, "lowest of the medians");
        verdict(out, "AEMhttpd req/s / reactor-netty req/s, all points", RoundTable.median(allRatios), 1.00,
                "median of all rounds and N");
        return out.toString();
    }

    /** The fewest idle connections found open after a run of the server at N, over the rounds. */
    private static String survivors(HttpResults r, int rounds, String server, int n) {
        double fewest = Double.NaN;
        for (int k = 1; k <= rounds; k++) {
            fewest = min(fewest, r.value(k, server, n, HttpResults.Row::idleOpenAfter));
        }
        return Double.isNaN(fewest) ? (r.has(server) ? "?" : "-") : String.format(Locale.ROOT, "%.0f", fewest);
    }

    private static double min(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        return Double.isNaN(b) ? a : Math.min(a, b);
    }

    private static void verdict(StringBuilder out, String what, double measured, double target, String which) {
        String state = Double.isNaN(measured) ? "NO DATA" : measured >= target ? "MET" : "NOT MET";
        out.append(String.format(Locale.ROOT, "target: %-58s >= %.2f  measured %s (%s)  %s%n", what, target,
                RoundTable.fmt(measured), which, state));
    }
}
