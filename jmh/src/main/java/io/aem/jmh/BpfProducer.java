package io.aem.jmh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code src/main/c/bpf_producer.c} as a child of the JVM: its commands go to its stdin one byte
 * each ({@code 'p'} probe, {@code 's'} step, {@code 'b'} burst), the burst's count comes back on
 * its stdout. The eBPF benchmarks load the programs with its pid as the filter. Records of a probe
 * carry mode {@link #PROBE_MODE}, the others {@link #SAMPLE_MODE}.
 */
final class BpfProducer implements AutoCloseable {
    /** Mode of a probe's fchmod. */
    static final int PROBE_MODE = 0600;
    /** Mode of a step's or a burst's fchmod. */
    static final int SAMPLE_MODE = 0644;

    private final Process process;
    private final OutputStream commands;
    private final BufferedReader output;
    private double lastRate = Double.NaN;

    /**
     * Starts the producer.
     *
     * @param program the bpf_producer executable
     * @param cpu     its CPU
     * @param dir     where it makes its files (they are unlinked at once)
     * @param threads burst threads
     * @param count   burst count
     * @param seconds burst time limit
     * @param gapUs   pause before a step's call
     */
    BpfProducer(String program, int cpu, String dir, int threads, long count, double seconds, long gapUs)
            throws IOException {
        process = new ProcessBuilder(List.of(program, Integer.toString(cpu), dir, Integer.toString(threads),
                Long.toString(count), Double.toString(seconds), Long.toString(gapUs)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = process.getOutputStream();
        output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** The producer's pid: the filter's tgid. */
    long pid() {
        return process.pid();
    }

    /** Sends one command byte (from one thread at a time). */
    void send(char command) throws IOException {
        commands.write(command);
        commands.flush();
    }

    /** Waits for the burst's report and returns its count; its lines are copied to stderr. */
    long awaitProduced() throws IOException {
        long produced = -1;
        String line;
        while ((line = output.readLine()) != null) {
            System.err.println(line);
            if (line.startsWith("produced ")) {
                produced = Long.parseLong(line.substring(9).trim());
            }
            if (line.startsWith("per_second ")) {
                lastRate = Double.parseDouble(line.substring(11).trim());
                return produced;
            }
        }
        throw new IOException("bpf_producer ended without a burst report");
    }

    /** The calls per second of the last burst, as the producer measured them; NaN before the first. */
    double lastRate() {
        return lastRate;
    }

    /** Closes its stdin (it exits) and waits up to 5 s for it. */
    @Override
    public void close() throws IOException {
        commands.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
