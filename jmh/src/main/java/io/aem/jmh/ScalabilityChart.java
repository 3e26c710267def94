package io.aem.jmh;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the chart of {@code run-http-scalability.sh} from its {@code results.tsv} (see
 * {@link HttpResults}) into a PNG: requests/s (upper panel) and latency p99 (lower panel) against
 * the number of idle connections on a logarithmic axis, one line per server (AEMhttpd,
 * reactor-netty) through the medians of the rounds, each round's figure a small open dot. Headless {@code java.awt} and {@link ImageIO}; no other dependency.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar io.aem.jmh.ScalabilityChart
 * RESULTS_TSV OUT_PNG}
 */
public final class ScalabilityChart {
    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 360;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] SERVERS = {"aem", "netty"};
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e)};

    private ScalabilityChart() {
    }

    /**
     * Entry point.
     *
     * @param args the results file and the image to write
     * @throws IOException when the results cannot be read or the image cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ScalabilityChart RESULTS_TSV OUT_PNG");
            System.exit(2);
        }
        HttpResults results = HttpResults.read(Path.of(args[0]));
        BufferedImage image = new BufferedImage(WIDTH, 2 * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, 2 * PANEL_HEIGHT);
        panel(g, results, 0, "Requests/s, 100 active connections (median of rounds)", "req/s",
                HttpResults.Row::rps);
        panel(g, results, PANEL_HEIGHT, "Latency p99 (median of rounds)", "ms", HttpResults.Row::p99Ms);
        g.dispose();
        if (!ImageIO.write(image, "png", Path.of(args[1]).toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static void panel(Graphics2D g, HttpResults r, int top, String title, String unit,
            ToDoubleFunction<HttpResults.Row> value) {
        List<Integer> ns = r.idleCounts();
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = top + PANEL_HEIGHT - BOTTOM;
        int y1 = top + TOP;
        double minN = Math.max(1, ns.isEmpty() ? 100 : ns.get(0));
        double maxN = Math.max(minN * 10, ns.isEmpty() ? 1000 : ns.get(ns.size() - 1));
        double lo = Math.log10(minN) - 0.1;
        double hi = Math.log10(maxN) + 0.1;
        double maxY = r.rows().stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).max().orElse(1) * 1.15;
        double step = niceStep(maxY / 5);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, x0, top + 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double y = 0; y <= maxY; y += step) {
            int py = (int) Math.round(y0 - (y0 - y1) * y / maxY);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(x0, py, x1, py);
            g.setColor(Color.DARK_GRAY);
            String label = step >= 1000 ? String.format(Locale.ROOT, "%,.0f", y)
                    : step >= 1 ? String.format(Locale.ROOT, "%.0f", y) : String.format(Locale.ROOT, "%.2f", y);
            g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), py + 4);
        }
        for (int n : ns) {
            int px = x(n, lo, hi, x0, x1);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(px, y0, px, y1);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%,d", n);
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, y0 + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        String xTitle = "idle connections (log scale)";
        g.drawString(xTitle, (x0 + x1 - g.getFontMetrics().stringWidth(xTitle)) / 2, y0 + 40);
        g.drawString(unit, 10, y1 + 4);

        for (int s = 0; s < SERVERS.length; s++) {
            if (!r.has(SERVERS[s])) {
                continue;
            }
            g.setColor(COLORS[s]);
            g.setStroke(new BasicStroke(2.5f));
            int prevX = -1;
            int prevY = -1;
            for (int n : ns) {
                for (int k = 1; k <= r.rounds(); k++) {
                    double each = r.value(k, SERVERS[s], n, value);
                    if (!Double.isNaN(each)) {
                        int py = (int) Math.round(y0 - (y0 - y1) * each / maxY);
                        g.setStroke(new BasicStroke(1f));
                        g.drawOval(x(n, lo, hi, x0, x1) - 3, py - 3, 6, 6);
                        g.setStroke(new BasicStroke(2.5f));
                    }
                }
                double v = r.median(SERVERS[s], n, value);
                if (Double.isNaN(v)) {
                    prevX = -1;
                    continue;
                }
                int px = x(n, lo, hi, x0, x1);
                int py = (int) Math.round(y0 - (y0 - y1) * v / maxY);
                g.fillOval(px - 4, py - 4, 8, 8);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                prevX = px;
                prevY = py;
            }
            // the legend sits in the title row, outside the plot
            int ly = top + 30;
            int legendX = x1 - 250 + 130 * s;
            g.drawLine(legendX, ly - 4, legendX + 24, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(HttpResults.label(SERVERS[s]), legendX + 30, ly);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int x(int n, double lo, double hi, int x0, int x1) {
        return (int) Math.round(x0 + (x1 - x0) * (Math.log10(Math.max(1, n)) - lo) / (hi - lo));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
