package io.aem.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sustained file event rate with zero loss: how many events per second a receiver takes from a
 * watched directory while the C producer ({@code src/main/c/file_producer.c}) creates, closes
 * and unlinks distinct files in it as fast as it can, and whether every event arrived. The C
 * reference reader ({@code inotify_rate.c}) runs the same producer the same way and is run
 * beside this program by {@code run-file-benchmarks.sh}.
 *
 * <p>Not a JMH benchmark: one run is one bounded burst whose figures come from the producer's
 * own count. Per run: the receiver is set up and pinned to {@link Cpus#RECEIVER}; the producer
 * is started (it pins itself to {@link Cpus#SENDER}) and prints how many operations it did and
 * its start and end times ({@code CLOCK_MONOTONIC}, the clock of {@code System.nanoTime()});
 * then the receiver is given until every expected event has arrived, or 1 s without an event.
 * Before the producer starts, a probe file is created and deleted until the receiver has seen
 * it (so that a watch added asynchronously is in place); the probe's events are not counted.
 * Expected = operations × the kinds this receiver can watch. The rate is events received /
 * (last event's arrival − producer start), as in the C reference. {@code WARMUP_RUNS} runs
 * (whose figures are dropped) come first, each with its own receiver, then the measured one.
 *
 * <p>Receivers (the first argument):
 * <ul>
 *   <li>{@code watchservice}: the JDK {@link WatchService}, {@code ENTRY_CREATE} and
 *       {@code ENTRY_DELETE} (the JDK has no close event), so 2 events per operation; its poller
 *       thread and the thread in {@link WatchService#take()} both pinned to the receiver CPU.
 *       Counts {@code WatchEvent.count()} of each event, and the {@code OVERFLOW} events with
 *       their counts: the JDK drops events and signals {@code OVERFLOW} when a key holds 512
 *       pending events.</li>
 *   <li>{@code flux}: the library's watch source (see {@link FileEventRateFlux}).</li>
 * </ul>
 *
 * <p>Usage: {@code FileEventRate VARIANT DIR COUNT MAX_MS PRODUCER MODE WARMUP_RUNS OUT_FILE}
 * where MODE is the producer's ({@code ccu}: create + close + unlink, {@code cu}: create +
 * unlink). Writes {@code rate.VARIANT.*} lines to OUT_FILE and stdout; exits 3 when events were
 * lost or an overflow was reported.
 */
public final class FileEventRate {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A receiver for one run: counts what arrives, from its own thread or the loop's. */
    interface Receiver extends AutoCloseable {
        /** Events of the watched kinds received so far (a coalesced event counts its repeats). */
        long received();

        /** Overflow events received. */
        long overflows();

        /** {@code System.nanoTime()} at the last arrival, or 0. */
        long lastEventNanos();

        /** Events per producer operation this receiver is given: the kinds it watches. */
        int eventsPerOp(String mode);

        /** Extra figures for the report. */
        default Map<String, String> notes() {
            return Map.of();
        }

        @Override
        void close() throws Exception;
    }

    /** Opens a receiver on a directory. */
    interface ReceiverFactory {
        Receiver open(Path dir, String mode) throws Exception;
    }

    private FileEventRate() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception on any failure, after which the exit code is non-zero
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: FileEventRate watchservice|flux DIR COUNT MAX_MS PRODUCER MODE WARMUP_RUNS OUT_FILE");
            System.exit(2);
        }
        String variant = args[0];
        ReceiverFactory factory;
        if (variant.equals("watchservice")) {
            factory = JdkReceiver::new;
        } else if (variant.equals("flux")) {
            factory = FileEventRateFlux.factory();
        } else {
            throw new IllegalArgumentException("unknown variant " + variant);
        }
        int code = run(variant, factory, Path.of(args[1]), args[2], args[3], args[4], args[5], Integer.parseInt(args[6]),
                Path.of(args[7]));
        System.exit(code);
    }

    static int run(String variant, ReceiverFactory factory, Path dir, String count, String maxMs, String producer,
            String mode, int warmups, Path outFile) throws Exception {
        Map<String, String> report = null;
        boolean clean = false;
        for (int w = 0; w <= warmups; w++) {
            String tag = variant.charAt(0) + "" + ProcessHandle.current().pid() + "-" + w;
            Map<String, String> r = new LinkedHashMap<>();
            clean = once(factory, dir, count, maxMs, producer, mode, tag, r);
            report = r;
        }
        StringBuilder out = new StringBuilder();
        report.forEach((k, v) -> out.append("rate.").append(variant).append('.').append(k).append(' ').append(v).append('\n'));
        System.out.print(out);
        Files.writeString(outFile, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return clean ? 0 : 3;
    }

    private static boolean once(ReceiverFactory factory, Path dir, String count, String maxMs, String producer,
            String mode, String tag, Map<String, String> report) throws Exception {
        try (Receiver receiver = factory.open(dir, mode)) {
            long base = probe(receiver, dir, tag);
            long overflowBase = receiver.overflows();
            long timeoutMs = Long.parseLong(maxMs) + 30_000;
            Process p = new ProcessBuilder(producer, dir.toString(), count, maxMs, Integer.toString(Cpus.SENDER), tag, mode)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("producer did not finish in " + timeoutMs + " ms");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("producer failed with exit code " + p.exitValue());
            }
            Map<String, String> produced = keyValues(text);
            long ops = Long.parseLong(produced.get("producer.ops"));
            long start = Long.parseLong(produced.get("producer.start_ns"));
            long end = Long.parseLong(produced.get("producer.end_ns"));
            long expected = ops * receiver.eventsPerOp(mode);
            for (;;) {
                if (receiver.received() - base >= expected) {
                    break;
                }
                long last = Math.max(receiver.lastEventNanos(), end);
                if (System.nanoTime() - last > QUIET_NANOS) {
                    break;
                }
                Thread.sleep(10);
            }
            long received = receiver.received() - base;
            long overflows = receiver.overflows() - overflowBase;
            long lastEvent = receiver.lastEventNanos();
            produced.forEach((k, v) -> report.put(k, v));
            report.put("expected", Long.toString(expected));
            report.put("received", Long.toString(received));
            report.put("lost", Long.toString(expected - received));
            report.put("overflows", Long.toString(overflows));
            double seconds = (lastEvent - start) / 1e9;
            report.put("seconds", String.format(Locale.ROOT, "%.6f", seconds));
            report.put("events_per_s", String.format(Locale.ROOT, "%.0f", seconds > 0 ? received / seconds : 0.0));
            report.put("producer_events_per_s", String.format(Locale.ROOT, "%.0f", expected / ((end - start) / 1e9)));
            report.put("lag_after_producer_us", String.format(Locale.ROOT, "%.1f", (lastEvent - end) / 1000.0));
            report.putAll(receiver.notes());
            return received == expected && overflows == 0;
        }
    }

    /**
     * Makes sure the watch is in place before the producer starts (a source may add its watch
     * on its loop thread after {@code subscribe} returns): creates and deletes a probe file until
     * the receiver has seen an event, waits 200 ms for the rest of the probe's events, and
     * returns the count then, which the run subtracts.
     */
    private static long probe(Receiver receiver, Path dir, String tag) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int n = 0; receiver.received() == 0; n++) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the receiver saw no event of a probe file in 5 s");
            }
            Path probe = dir.resolve("probe-" + tag + "-" + n);
            Files.createFile(probe);
            Files.delete(probe);
            Thread.sleep(20);
        }
        Thread.sleep(200);
        return receiver.received();
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                m.put(kv[0], kv[1]);
            }
        }
        for (String key : new String[] {"producer.ops", "producer.start_ns", "producer.end_ns"}) {
            if (!m.containsKey(key)) {
                throw new IllegalStateException("the producer did not print " + key + ": " + text);
            }
        }
        return m;
    }

    /** The JDK watch service, {@code ENTRY_CREATE} and {@code ENTRY_DELETE}, taken by a pinned thread. */
    static final class JdkReceiver implements Receiver {
        private final WatchService watch;
        private final Thread thread;
        private volatile long received;
        private volatile long overflows;
        private volatile long overflowCount;
        private volatile long takes;
        private volatile long last;
        private final int pinned;

        JdkReceiver(Path dir, String mode) throws IOException {
            watch = FileSystems.getDefault().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            pinned = Cpus.pinThreadsNamed("FileSystemWatch", Cpus.RECEIVER);
            thread = new Thread(this::receive, "watch-receiver");
            thread.setDaemon(true);
            thread.start();
        }

        private void receive() {
            Cpus.pin(Cpus.RECEIVER);
            for (;;) {
                WatchKey key;
                try {
                    key = watch.take();
                } catch (ClosedWatchServiceException | InterruptedException e) {
                    return;
                }
                long r = received;
                long o = overflows;
                long oc = overflowCount;
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                        o++;
                        oc += e.count();
                    } else {
                        r += e.count();
                    }
                }
                key.reset();
                takes = takes + 1;
                overflows = o;
                overflowCount = oc;
                received = r;
                last = System.nanoTime();
            }
        }

        @Override
        public long received() {
            return received;
        }

        @Override
        public long overflows() {
            return overflows;
        }

        @Override
        public long lastEventNanos() {
            return last;
        }

        @Override
        public int eventsPerOp(String mode) {
            return 2;
        }

        @Override
        public Map<String, String> notes() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("overflow_event_counts", Long.toString(overflowCount));
            m.put("takes", Long.toString(takes));
            m.put("events_per_take", String.format(Locale.ROOT, "%.2f", takes == 0 ? 0.0 : (double) received / takes));
            m.put("jdk_poller_threads_pinned", Integer.toString(pinned));
            return m;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            watch.close();
            thread.join(2000);
        }
    }
}
