package io.aem.linux.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process for tests that must touch files from <em>another</em> process (a permission
 * mark would make this JVM wait on itself): started with stdin from {@code /dev/null}, its
 * output captured, and every wait bounded so that a bug never hangs the build. Use in
 * try-with-resources: closing kills the child if it still runs.
 */
public final class TimedChild implements AutoCloseable {
    private final Process process;
    private final long startNanos;
    private final List<String> command;

    /**
     * What the child did.
     *
     * @param exitCode its exit status
     * @param stdout   what it wrote to stdout
     * @param stderr   what it wrote to stderr
     * @param elapsed  from just before the start to the moment its exit was seen
     */
    public record Outcome(int exitCode, String stdout, String stderr, Duration elapsed) {
    }

    private TimedChild(List<String> command) throws IOException {
        this.command = command;
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        this.startNanos = System.nanoTime();
        this.process = pb.start();
    }

    /** Starts the command. */
    public static TimedChild start(String... command) throws IOException {
        return new TimedChild(List.of(command));
    }

    /** The child's pid. */
    public long pid() {
        return process.pid();
    }

    /** Whether it still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the exit, at most {@code timeout}; kills the child and fails if it is still running then.
     *
     * @param timeout the bound
     * @return what it did
     */
    public Outcome await(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout.toMillis() + " ms (killed)");
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return new Outcome(process.exitValue(), drain(process.getInputStream()), drain(process.getErrorStream()), elapsed);
    }

    private static String drain(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Kills the child if it still runs, and closes its streams. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            process.getInputStream().close();
            process.getErrorStream().close();
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
