package io.aem.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The tables the benchmark summaries print: one column per round and the median of the rounds,
 * ratio rows, and target verdicts computed on those medians; and the {@code key value} result
 * files the C references and the Java harnesses write.
 */
final class RoundTable {
    private final StringBuilder out;
    private final int rounds;
    private final int labelWidth;
    private final int columnWidth;
    private final int verdictWidth;

    /**
     * @param out          where the table is appended
     * @param rounds       the number of rounds (columns before the median)
     * @param labelWidth   width of the row labels
     * @param columnWidth  width of each figure column
     * @param verdictWidth width of the "what" of a verdict line
     */
    RoundTable(StringBuilder out, int rounds, int labelWidth, int columnWidth, int verdictWidth) {
        this.out = out;
        this.rounds = rounds;
        this.labelWidth = labelWidth;
        this.columnWidth = columnWidth;
        this.verdictWidth = verdictWidth;
    }

    /** A blank line, the title, and the column headings. */
    void header(String title) {
        out.append('\n').append(title).append('\n');
        out.append(String.format(Locale.ROOT, "  %-" + labelWidth + "s", ""));
        for (int k = 1; k <= rounds; k++) {
            out.append(String.format(Locale.ROOT, "%" + columnWidth + "s", "round " + k));
        }
        out.append(String.format(Locale.ROOT, "%" + columnWidth + "s%n", "median"));
    }

    /** One row: the value of each round (1-based; NaN shows as "-") and their median, which it returns. */
    double row(String label, IntFunction<Double> value) {
        double[] v = new double[rounds];
        out.append(String.format(Locale.ROOT, "  %-" + labelWidth + "s", label));
        for (int k = 1; k <= rounds; k++) {
            v[k - 1] = value.apply(k);
            out.append(String.format(Locale.ROOT, "%" + columnWidth + "s", fmt(v[k - 1])));
        }
        double median = median(v);
        out.append(String.format(Locale.ROOT, "%" + columnWidth + "s%n", fmt(median)));
        return median;
    }

    /** A row of per-round ratios {@code num / den}; returns their median. */
    double ratioRow(String label, IntFunction<Double> num, IntFunction<Double> den) {
        return row(label, k -> div(num.apply(k), den.apply(k)));
    }

    /** A target line: {@code ratio op target}, MET / NOT MET / NO DATA. */
    void verdict(String what, double ratio, String op, double target) {
        boolean met = !Double.isNaN(ratio) && (op.equals("<=") ? ratio <= target : ratio >= target);
        out.append(String.format(Locale.ROOT, "target: %-" + verdictWidth + "s %s %.2f  measured %s (median of %d rounds)  %s%n",
                what, op, target, fmt(ratio), rounds, Double.isNaN(ratio) ? "NO DATA" : met ? "MET" : "NOT MET"));
    }

    /**
     * The reference of a bracketed round: the mean of the run before and the run after, or the
     * one of them that is a number.
     */
    static double bracket(double before, double after) {
        if (Double.isNaN(before)) {
            return after;
        }
        if (Double.isNaN(after)) {
            return before;
        }
        return (before + after) / 2;
    }

    /** {@code a / b}, NaN when {@code b} is 0. */
    static double div(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    /** The median of the values that are not NaN; NaN when there are none. */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** A figure as the tables show it: "-" for NaN, fewer decimals for larger values. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 10000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The {@code key value} lines of a result file; a missing file gives an empty map. */
    static Map<String, Double> keyValues(Path file) {
        Map<String, Double> m = new HashMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2) {
                    try {
                        m.put(kv[0], Double.parseDouble(kv[1]));
                    } catch (NumberFormatException e) {
                        // not a figure
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }
}
