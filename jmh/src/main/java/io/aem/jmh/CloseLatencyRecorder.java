package io.aem.jmh;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One-way latencies of the file event ping-pong ({@link FileEventLatency}): for each event, the
 * receiver's {@code System.nanoTime()} when it holds the event minus two times the writer took,
 * just before its {@code write(2)} and just before its {@code close(2)}. Recorded by the
 * receiving thread during JMH measurement iterations only, summarised once per trial with the
 * nearest-rank percentiles of the C reference ({@code inotify_latency.c}); also the bytes the
 * receiving thread allocated per event and how many events did not match the close they were
 * paired with.
 *
 * <p>The ping-pong is synchronous (the writer waits for the answer before its next file), so the
 * receiver is idle whenever the benchmark thread reads the samples.
 */
final class CloseLatencyRecorder {
    private static final int CAPACITY = 1 << 20;

    private final String variant;
    private final long[] closeToEvent = new long[CAPACITY];
    private final long[] writeToEvent = new long[CAPACITY];
    private final Map<String, String> notes = new LinkedHashMap<>();
    private volatile boolean recording;
    private volatile int count;
    private volatile long mismatches;
    private Thread receiver;
    private int countAtStart;
    private long allocatedAtStart;
    private long allocatedBytes;
    private long allocationEvents;
    /** The writer's {@code System.nanoTime()} just before its {@code write(2)}. */
    volatile long wroteAt;
    /** The writer's {@code System.nanoTime()} just before its {@code close(2)}. */
    volatile long closedAt;
    /** Index of the file the writer is closing, for the receiver's check. */
    volatile int expected;

    CloseLatencyRecorder(String variant) {
        this.variant = variant;
    }

    /** The thread that calls {@link #arrived}, whose allocations are measured. */
    void receiver(Thread thread) {
        this.receiver = thread;
    }

    /** Benchmark thread, at the start of an iteration: records only in measurement iterations. */
    void beginIteration(boolean measurement) {
        countAtStart = count;
        allocatedAtStart = Allocation.of(receiver);
        recording = measurement;
    }

    /** Benchmark thread, at the end of an iteration (the receiver is idle). */
    void endIteration() {
        if (recording) {
            long now = Allocation.of(receiver);
            if (now >= 0 && allocatedAtStart >= 0) {
                allocatedBytes += now - allocatedAtStart;
                allocationEvents += count - countAtStart;
            }
        }
        recording = false;
    }

    /**
     * Receiver: the event is in hand at {@code now} ({@code System.nanoTime()}).
     *
     * @param matches whether the event is the one expected: the right kind and the name of the
     *                file the writer closed; a mismatch is counted in every iteration, warm-up
     *                included, and reported
     */
    void arrived(long now, boolean matches) {
        if (!matches) {
            mismatches = mismatches + 1;
        }
        if (recording) {
            int n = count;
            if (n < CAPACITY) {
                closeToEvent[n] = now - closedAt;
                writeToEvent[n] = now - wroteAt;
                count = n + 1;
            }
        }
    }

    /** Adds a line to the report. */
    void note(String key, String value) {
        notes.put(key, value);
    }

    /**
     * Prints the summary and, when the environment variable {@code AEM_JMH_OUT} names a
     * directory, writes it there as {@code latency-<variant>.txt} in the C reference's
     * {@code key value} format.
     */
    void report() {
        int n = count;
        String p = "latency." + variant + ".";
        StringBuilder out = new StringBuilder();
        out.append(p).append("mismatched_events ").append(mismatches).append('\n');
        if (n > 0) {
            LatencyReport.percentiles(out, p + "close.", closeToEvent, n);
            LatencyReport.percentiles(out, p + "write.", writeToEvent, n);
        }
        if (allocationEvents > 0) {
            out.append(p).append("receiver_alloc_bytes_per_event ")
                    .append(String.format(Locale.ROOT, "%.1f", (double) allocatedBytes / allocationEvents)).append('\n');
        }
        notes.forEach((k, val) -> out.append(p).append(k).append(' ').append(val).append('\n'));
        LatencyReport.publish(variant, out);
    }
}
