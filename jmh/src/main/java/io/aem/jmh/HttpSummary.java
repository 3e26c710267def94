package io.aem.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints the table of {@code run-http-scalability.sh} from its results directory
 * ({@code results.tsv}, see {@link HttpResults}, and {@code machine.txt}): per number of idle
 * connections N, each server's requests/s and latency p50/p99, the AEMhttpd / reactor-netty
 * throughput ratio, AEMhttpd's throughput relative to its throughput at the smallest N, and whether
 * the idle connections all survived the run; then the two targets with MET / NOT MET:
 * <ul>
 *   <li>AEMhttpd's throughput stays within 10 % from the smallest to the largest N: at every N it
 *       is at least 0.90 of the smallest N's;</li>
 *   <li>AEMhttpd's requests/s are at least reactor-netty's: the ratio is at least 1.00 at every N
 *       (the smallest ratio is reported).</li>
 * </ul>
 * A target whose figures are missing is NO DATA.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.HttpSummary RESULTS_DIR}
 */
public final class HttpSummary {
    private static final String AEM = "aem";
    private static final String NETTY = "netty";

    private HttpSummary() {
    }

    /**
     * Entry point.
     *
     * @param args the results directory
     * @throws IOException when a file cannot be read or is malformed
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: HttpSummary RESULTS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        System.out.print(summary(HttpResults.read(dir.resolve("results.tsv")), dir.resolve("machine.txt")));
    }

    private static String summary(HttpResults r, Path machine) throws IOException {
        StringBuilder out = new StringBuilder();
        List<Integer> ns = r.idleCounts();
        out.append("\nHTTP GET /hello, active keep-alive connections from wrk, N idle connections held by another process\n");
        out.append(String.format(Locale.ROOT, "%8s | %-29s | %-29s | %9s | %10s | %s%n", "",
                HttpResults.label(AEM), HttpResults.label(NETTY), "", "AEMhttpd", "idle open after run"));
        out.append(String.format(Locale.ROOT, "%8s | %11s %8s %8s | %11s %8s %8s | %9s | %10s | %s%n", "idle N",
                "req/s", "p50 ms", "p99 ms", "req/s", "p50 ms", "p99 ms", "aem/netty", "vs first N",
                "aem / netty"));
        double first = r.at(AEM, ns.isEmpty() ? 0 : ns.get(0)).map(HttpResults.Row::rps).orElse(Double.NaN);
        double worstScale = Double.NaN;
        double worstRatio = Double.NaN;
        for (int n : ns) {
            double aem = value(r, AEM, n, HttpResults.Row::rps);
            double netty = value(r, NETTY, n, HttpResults.Row::rps);
            double ratio = RoundTable.div(aem, netty);
            double scale = RoundTable.div(aem, first);
            worstScale = min(worstScale, scale);
            worstRatio = min(worstRatio, ratio);
            out.append(String.format(Locale.ROOT, "%8d | %11s %8s %8s | %11s %8s %8s | %9s | %10s | %s / %s%n", n,
                    RoundTable.fmt(aem), RoundTable.fmt(value(r, AEM, n, HttpResults.Row::p50Ms)),
                    RoundTable.fmt(value(r, AEM, n, HttpResults.Row::p99Ms)),
                    RoundTable.fmt(netty), RoundTable.fmt(value(r, NETTY, n, HttpResults.Row::p50Ms)),
                    RoundTable.fmt(value(r, NETTY, n, HttpResults.Row::p99Ms)),
                    RoundTable.fmt(ratio), RoundTable.fmt(scale), survivors(r, AEM, n), survivors(r, NETTY, n)));
        }
        for (HttpResults.Row row : r.rows()) {
            if (row.socketErrors() > 0 || row.non2xx() > 0) {
                out.append(String.format(Locale.ROOT, "note: %s at N=%d: %.0f socket errors, %.0f non-2xx responses%n",
                        HttpResults.label(row.server()), row.idle(), row.socketErrors(), row.non2xx()));
            }
        }
        if (Files.exists(machine)) {
            for (String line : Files.readAllLines(machine, StandardCharsets.UTF_8)) {
                if (line.startsWith("responses:")) {
                    out.append(line).append('\n');
                }
            }
        }
        String range = ns.isEmpty() ? "" : " (N " + ns.get(0) + " to " + ns.get(ns.size() - 1) + ")";
        verdict(out, "AEMhttpd req/s at every N / at the first N" + range, worstScale, 0.90, "lowest");
        verdict(out, "AEMhttpd req/s / reactor-netty req/s at every N", worstRatio, 1.00, "lowest");
        return out.toString();
    }

    private static double value(HttpResults r, String server, int n, ToDoubleFunction<HttpResults.Row> f) {
        return r.at(server, n).map(f::applyAsDouble).orElse(Double.NaN);
    }

    private static String survivors(HttpResults r, String server, int n) {
        return r.at(server, n)
                .map(row -> Double.isNaN(row.idleOpenAfter()) ? "?" : String.format(Locale.ROOT, "%.0f", row.idleOpenAfter()))
                .orElse("-");
    }

    private static double min(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        return Double.isNaN(b) ? a : Math.min(a, b);
    }

    private static void verdict(StringBuilder out, String what, double measured, double target, String which) {
        String state = Double.isNaN(measured) ? "NO DATA" : measured >= target ? "MET" : "NOT MET";
        out.append(String.format(Locale.ROOT, "target: %-62s >= %.2f  measured %s (%s)  %s%n", what, target,
                RoundTable.fmt(measured), which, state));
    }
}
