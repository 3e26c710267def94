package io.aem.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The rows of {@code results.tsv} that {@code run-http-scalability.sh} writes: one per server and
 * number of idle connections, with a header line naming the columns
 * {@code round server idle rps p50_ms p99_ms idle_connected idle_open_after socket_errors non_2xx
 * server_fds server_rss_kb}. Figures that could not be measured are {@code nan}.
 *
 * @param rows the rows in file order
 */
record HttpResults(List<Row> rows) {

    /**
     * One measured point.
     *
     * @param round          the round, from 1
     * @param server         {@code aem} or {@code netty}
     * @param idle           the idle connections asked for
     * @param rps            requests per second (wrk)
     * @param p50Ms          latency p50 in milliseconds
     * @param p99Ms          latency p99 in milliseconds
     * @param idleConnected  idle connections made and answered before the run
     * @param idleOpenAfter  idle connections still open after the run
     * @param socketErrors   wrk's socket errors (connect, read, write, timeout)
     * @param non2xx         wrk's non-2xx/3xx responses
     * @param serverFds      the server process's open fds during the run
     * @param serverRssKb    the server process's RSS during the run, KiB
     */
    record Row(int round, String server, int idle, double rps, double p50Ms, double p99Ms, double idleConnected,
            double idleOpenAfter, double socketErrors, double non2xx, double serverFds, double serverRssKb) {
    }

    /** Reads the file; a malformed line is an {@link IOException} naming it. */
    static HttpResults read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            if (f.length < 12) {
                throw new IOException(file + " line " + (i + 1) + ": expected 12 tab-separated columns, found "
                        + f.length);
            }
            rows.add(new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), num(f[3]), num(f[4]), num(f[5]),
                    num(f[6]), num(f[7]), num(f[8]), num(f[9]), num(f[10]), num(f[11])));
        }
        return new HttpResults(rows);
    }

    /** The numbers of idle connections measured, ascending. */
    List<Integer> idleCounts() {
        TreeSet<Integer> n = new TreeSet<>();
        rows.forEach(r -> n.add(r.idle()));
        return new ArrayList<>(n);
    }

    /** The row of one server at one N in one round, if it was measured. */
    Optional<Row> at(int round, String server, int idle) {
        return rows.stream().filter(r -> r.round() == round && r.server().equals(server) && r.idle() == idle)
                .findFirst();
    }

    /** One figure of one server at one N in one round; NaN when it was not measured. */
    double value(int round, String server, int idle, ToDoubleFunction<Row> figure) {
        return at(round, server, idle).map(figure::applyAsDouble).orElse(Double.NaN);
    }

    /** The median over the rounds of one figure of one server at one N; NaN when none was measured. */
    double median(String server, int idle, ToDoubleFunction<Row> figure) {
        return RoundTable.median(rows.stream().filter(r -> r.server().equals(server) && r.idle() == idle)
                .mapToDouble(figure).toArray());
    }

    /** The highest round number present (0 when there are no rows). */
    int rounds() {
        return rows.stream().mapToInt(Row::round).max().orElse(0);
    }

    /** Whether any row belongs to the server. */
    boolean has(String server) {
        return rows.stream().anyMatch(r -> r.server().equals(server));
    }

    /** The display name of a server key. */
    static String label(String server) {
        return switch (server) {
            case "aem" -> "AEMhttpd";
            case "netty" -> "reactor-netty";
            default -> server;
        };
    }

    private static double num(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
