package io.aem.jmh;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One-way latencies of a ping-pong, recorded by the receiving thread during JMH measurement
 * iterations only and summarised once per trial with the same nearest-rank percentiles as the C
 * reference; also the bytes the receiving thread allocated per event.
 *
 * <p>The sender stores {@link #sentAt} ({@code System.nanoTime()}, the same clock as the C
 * reference's {@code CLOCK_MONOTONIC}) just before it signals; the receiver calls
 * {@link #arrived(long)} with its own reading once it holds the event. The ping-pong is
 * synchronous, so the receiver is idle whenever the benchmark thread reads the samples (between
 * iterations, after the last answer).
 */
final class OneWayRecorder {
    private static final int CAPACITY = 1 << 22;

    private final String variant;
    private final long[] samples = new long[CAPACITY];
    private final Map<String, String> notes = new LinkedHashMap<>();
    private volatile boolean recording;
    private volatile int count;
    private Thread receiver;
    private int countAtStart;
    private long allocatedAtStart;
    private long allocatedBytes;
    private long allocationEvents;
    /** The sender's {@code System.nanoTime()} just before its signal. */
    volatile long sentAt;

    OneWayRecorder(String variant) {
        this.variant = variant;
    }

    /** The thread that calls {@link #arrived}, whose allocations are measured. */
    void receiver(Thread thread) {
        this.receiver = thread;
    }

    /** Benchmark thread, at the start of an iteration: records only in measurement iterations. */
    void beginIteration(boolean measurement) {
        countAtStart = count;
        allocatedAtStart = allocated();
        recording = measurement;
    }

    /** Benchmark thread, at the end of an iteration (the receiver is idle). */
    void endIteration() {
        if (recording) {
            long now = allocated();
            if (now >= 0 && allocatedAtStart >= 0) {
                allocatedBytes += now - allocatedAtStart;
                allocationEvents += count - countAtStart;
            }
        }
        recording = false;
    }

    /** Receiver: the event is in hand at {@code now} ({@code System.nanoTime()}). */
    void arrived(long now) {
        if (recording) {
            int n = count;
            if (n < CAPACITY) {
                samples[n] = now - sentAt;
                count = n + 1;
            }
        }
    }

    /** Adds a line to the report, for example a loop counter. */
    void note(String key, String value) {
        notes.put(key, value);
    }

    /**
     * Prints the summary and, when the environment variable {@code AEM_JMH_OUT} names a
     * directory, writes it there as {@code latency-<variant>.txt} in the C reference's
     * {@code key value} format, for {@code run-benchmarks.sh}.
     */
    void report() {
        int n = count;
        if (n == 0) {
            return;
        }
        String p = "latency." + variant + ".";
        StringBuilder out = new StringBuilder();
        LatencyReport.percentiles(out, p + "oneway.", samples, n);
        if (allocationEvents > 0) {
            out.append(p).append("receiver_alloc_bytes_per_event ")
                    .append(String.format(Locale.ROOT, "%.2f", (double) allocatedBytes / allocationEvents)).append('\n');
        }
        notes.forEach((k, val) -> out.append(p).append(k).append(' ').append(val).append('\n'));
        LatencyReport.publish(variant, out);
    }

    private long allocated() {
        return Allocation.of(receiver);
    }
}
