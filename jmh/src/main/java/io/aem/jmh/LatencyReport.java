package io.aem.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The latency recorders' report lines, in the C references' {@code key value} format and with
 * their nearest-rank percentiles ({@code bench_stats.h}), so that C and Java figures are computed
 * the same way.
 */
final class LatencyReport {
    private LatencyReport() {
    }

    /**
     * Appends {@code <prefix>n}, {@code mean_us}, {@code p50_us}, {@code p90_us}, {@code p99_us},
     * {@code p999_us} and {@code max_us} for the first {@code n} samples (nanoseconds).
     */
    static void percentiles(StringBuilder out, String prefix, long[] samples, int n) {
        long[] v = Arrays.copyOf(samples, n);
        Arrays.sort(v);
        double sum = 0;
        for (long x : v) {
            sum += x;
        }
        out.append(prefix).append("n ").append(n).append('\n');
        out.append(prefix).append("mean_us ").append(us(sum / n)).append('\n');
        out.append(prefix).append("p50_us ").append(us(percentile(v, 0.50))).append('\n');
        out.append(prefix).append("p90_us ").append(us(percentile(v, 0.90))).append('\n');
        out.append(prefix).append("p99_us ").append(us(percentile(v, 0.99))).append('\n');
        out.append(prefix).append("p999_us ").append(us(percentile(v, 0.999))).append('\n');
        out.append(prefix).append("max_us ").append(us(v[n - 1])).append('\n');
    }

    /** Prints the report and, when {@code AEM_JMH_OUT} names a directory, writes it there as {@code latency-<variant>.txt}. */
    static void publish(String variant, CharSequence out) {
        System.out.print(out);
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir != null && !dir.isEmpty()) {
            try {
                Files.writeString(Path.of(dir, "latency-" + variant + ".txt"), out, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
    }

    private static String us(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1000.0);
    }
}
