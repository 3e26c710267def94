package io.aem.jmh;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What it costs a JVM to supervise many children at once: COUNT children started and kept
 * running, then killed, with the JVM's thread count, heap in use after a full GC and resident
 * memory before, while they run and after they have all exited. The library ({@code aem}: one
 * event loop, one pidfd per child) beside the JDK ({@code jdk}: {@code ProcessBuilder} and
 * {@code onExit()}, one "process reaper" thread per running child).
 *
 * <p>Each child is {@code CHILD_PROGRAM 120} (the script passes {@code /bin/sleep}), with stdio
 * discarded, so an interrupted run leaves nothing running for more than two minutes. Twenty
 * children are started and awaited first so that both sides have loaded their classes and
 * started their threads before the "before" figures. Bounded: at most 120 s for the exits.
 *
 * <p>Usage: {@code ChildrenFootprint aem|jdk COUNT CHILD_PROGRAM}. Prints {@code children.VARIANT.*}
 * lines ({@code threads_before}, {@code threads_running}, {@code threads_after}, {@code heap_*_bytes},
 * {@code rss_*_kb}, {@code start_seconds}, {@code exits_seconds}); writes them to
 * {@code $AEM_JMH_OUT/children-VARIANT.txt} when set.
 */
public final class ChildrenFootprint {
    private ChildrenFootprint() {
    }

    /**
     * Entry point.
     *
     * @param args variant, count, child program
     * @throws Exception when a child cannot be started or the exits do not all arrive in time
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ChildrenFootprint aem|jdk COUNT CHILD_PROGRAM");
            System.exit(2);
        }
        String variant = args[0];
        int count = Integer.parseInt(args[1]);
        if (count < 1 || count > 15_000) {
            throw new IllegalArgumentException("COUNT must be 1..15000 (pids and fds are bounded here)");
        }
        String program = args[2];
        StringBuilder out = new StringBuilder();
        String p = "children." + variant + ".";
        try (ChildLauncher launcher = ChildLauncher.of(variant)) {
            CountDownLatch warm = new CountDownLatch(20);
            for (int i = 0; i < 20; i++) {
                launcher.start(List.of(program, "0"), warm::countDown);
            }
            if (!warm.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("warm-up children did not exit within 30 s");
            }
            line(out, p + "count", count);
            line(out, p + "threads_before", threads());
            line(out, p + "heap_before_bytes", heapAfterGc());
            line(out, p + "rss_before_kb", rssKb());
            CountDownLatch exited = new CountDownLatch(count);
            List<Object> children = new ArrayList<>(count);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                children.add(launcher.start(List.of(program, "120"), exited::countDown));
            }
            long started = System.nanoTime();
            line(out, p + "start_seconds", (started - t0) / 1e9);
            line(out, p + "threads_running", threads());
            line(out, p + "heap_running_bytes", heapAfterGc());
            line(out, p + "rss_running_kb", rssKb());
            long k0 = System.nanoTime();
            for (Object child : children) {
                launcher.kill(child);
            }
            if (!exited.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(exited.getCount() + " exits missing after 120 s");
            }
            line(out, p + "exits_seconds", (System.nanoTime() - k0) / 1e9);
            children.clear();
            line(out, p + "threads_after", threads());
            line(out, p + "heap_after_bytes", heapAfterGc());
            line(out, p + "rss_after_kb", rssKb());
        }
        System.out.print(out);
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir != null && !dir.isEmpty()) {
            Files.writeString(Path.of(dir, "children-" + variant + ".txt"), out);
        }
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(' ')
                .append(value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : value).append('\n');
    }
}
