package io.aem.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How fast children can be started: COUNT children of {@code CHILD_PROGRAM} (the script passes
 * {@code /bin/true}) started back to back, at most WINDOW running at once (a start waits for an
 * exit when the window is full), stdio discarded, each exit observed. The library ({@code aem}:
 * {@code ChildProcess.start}, posix_spawn and a pidfd) beside the JDK ({@code jdk}:
 * {@code ProcessBuilder.start()} and {@code onExit()}).
 *
 * <p>Reports the rate (children started and exited per second, from the first start to the last
 * exit) and the time one start call takes on the calling thread (p50, p99). WARMUP children
 * first, not counted. Bounded: at most 60 s waiting for the last exits.
 *
 * <p>Usage: {@code SpawnRate aem|jdk WARMUP COUNT WINDOW CHILD_PROGRAM}. Prints
 * {@code spawn.VARIANT.*} lines; writes them to {@code $AEM_JMH_OUT/spawn-VARIANT.txt} when set.
 */
public final class SpawnRate {
    private SpawnRate() {
    }

    /**
     * Entry point.
     *
     * @param args variant, warm-up count, count, window, child program
     * @throws Exception when a child cannot be started or exits are missing after 60 s
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: SpawnRate aem|jdk WARMUP COUNT WINDOW CHILD_PROGRAM");
            System.exit(2);
        }
        String variant = args[0];
        int warmup = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int window = Integer.parseInt(args[3]);
        if (warmup < 0 || count < 1 || count > 1_000_000 || window < 1 || window > 1000) {
            throw new IllegalArgumentException("WARMUP >= 0, COUNT 1..1000000, WINDOW 1..1000");
        }
        List<String> argv = List.of(args[4]);
        long[] startNanos = new long[count];
        double rate;
        try (ChildLauncher launcher = ChildLauncher.of(variant)) {
            run(launcher, argv, warmup, window, null);
            long t0 = System.nanoTime();
            run(launcher, argv, count, window, startNanos);
            rate = count / ((System.nanoTime() - t0) / 1e9);
        }
        StringBuilder out = new StringBuilder();
        String p = "spawn." + variant + ".";
        out.append(p).append("count ").append(count).append('\n');
        out.append(p).append("window ").append(window).append('\n');
        out.append(p).append("per_second ").append(String.format(Locale.ROOT, "%.1f", rate)).append('\n');
        LatencyReport.percentiles(out, p + "start_call.", startNanos, count);
        System.out.print(out);
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir != null && !dir.isEmpty()) {
            Files.writeString(Path.of(dir, "spawn-" + variant + ".txt"), out);
        }
    }

    private static void run(ChildLauncher launcher, List<String> argv, int count, int window, long[] startNanos)
            throws Exception {
        Semaphore slots = new Semaphore(window);
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no child exited within 60 s");
            }
            long t = System.nanoTime();
            launcher.start(argv, slots::release);
            if (startNanos != null) {
                startNanos[i] = System.nanoTime() - t;
            }
        }
        if (!slots.tryAcquire(window, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("exits missing after 60 s");
        }
    }
}
