package io.aem.jmh;

import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.proc.Redirect;
import io.aem.reactor.Aem;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A child's exit → the parent holds it: the library's {@code Aem.exec} (the exit delivered by
 * {@code onNext} on the event loop, from the child's pidfd) beside the JDK's
 * {@code ProcessHandle.onExit()}. The C reference ({@code src/main/c/pidfd_exit.c}, a pidfd in
 * epoll) is run beside this program by {@code run-process-benchmarks.sh}.
 *
 * <p>The child is {@code src/main/c/exit_stamp.c}: it pins itself to the child CPU, reads
 * {@code CLOCK_MONOTONIC} (the clock of {@code System.nanoTime()}) as the last thing before
 * {@code _exit(0)} and leaves it in a stamp file. A sample is the notification's
 * {@code System.nanoTime()} minus that stamp: the child's teardown in the kernel plus the wake-up
 * and the delivery. One child at a time; the spawn is outside the measured interval. Each sample
 * checks the exit code (0) and that the stamp is newer than the spawn.
 *
 * <p>Variants (the first argument):
 * <ul>
 *   <li>{@code flux}: {@code aem.exec(spec).subscribeOn(loop).subscribe(exit -> t = System.nanoTime())},
 *       stdio of the child discarded; one event loop pinned to {@link Cpus#RECEIVER}. Subscribed on
 *       the loop, so the spawn runs there and the child's pidfd is registered before the spawn
 *       returns, as the C reference does; from another thread the registration is a hand-over to
 *       the loop, and a child as short as this one sometimes exits before the loop took it (its
 *       exit then counts from that moment: a tail of milliseconds at p99 with the JVM on one
 *       CPU).</li>
 *   <li>{@code onexit}: {@code new ProcessBuilder(...).start().toHandle().onExit()
 *       .thenAccept(h -> t = System.nanoTime())}, stdio discarded (stdin from
 *       {@code /dev/null}); the JDK's reaper thread completes it.</li>
 * </ul>
 * The script runs the whole JVM on the receiver CPU ({@code taskset}), as the C reference pins
 * itself, so every receiver has the same CPU.
 *
 * <p>Usage: {@code ProcessExitLatency VARIANT EXIT_STAMP_PROGRAM STAMP_FILE WARMUP ITERATIONS CHILD_CPU}.
 * Prints {@code exit.VARIANT.*} lines (and writes them to {@code $AEM_JMH_OUT/latency-VARIANT.txt},
 * with every sample in order, in nanoseconds, to {@code samples-VARIANT.txt}). A receiver CPU of
 * -1 ({@code -Daem.bench.receiverCpu=-1}) leaves the loop unpinned.
 */
public final class ProcessExitLatency {
    private static final long NOTIFY_TIMEOUT_SECONDS = 2;

    private ProcessExitLatency() {
    }

    /** One way of being told of a child's exit. */
    private interface Receiver extends AutoCloseable {
        /**
         * Starts the child and returns {@code System.nanoTime()} at the moment this receiver was
         * told of its exit, after checking it exited with 0.
         */
        long startAndAwaitExit(List<String> argv) throws Exception;

        @Override
        void close();
    }

    /**
     * Entry point.
     *
     * @param args variant, exit_stamp program, stamp file, warm-up count, iterations, child CPU
     * @throws Exception when a run fails: a child that does not exit within 2 s or exits non-zero
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: ProcessExitLatency flux|onexit EXIT_STAMP_PROGRAM STAMP_FILE WARMUP ITERATIONS CHILD_CPU");
            System.exit(2);
        }
        String variant = args[0];
        Path stamp = Path.of(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int iterations = Integer.parseInt(args[4]);
        if (warmup < 0 || iterations < 1 || iterations > 1_000_000) {
            throw new IllegalArgumentException("warm-up must be >= 0 and iterations 1..1000000");
        }
        List<String> argv = List.of(args[1], stamp.toString(), args[5]);
        long[] samples = new long[iterations];
        try (Receiver receiver = receiver(variant);
                FileChannel stampFile = FileChannel.open(stamp, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < warmup + iterations; i++) {
                buffer.clear().putLong(0, 0L);
                stampFile.write(buffer, 0);
                long spawnedAt = System.nanoTime();
                long seen = receiver.startAndAwaitExit(argv);
                buffer.clear();
                stampFile.read(buffer, 0);
                long exitedAt = buffer.getLong(0);
                if (exitedAt < spawnedAt) {
                    throw new IllegalStateException("the child left no stamp in " + stamp);
                }
                if (i >= warmup) {
                    samples[i - warmup] = seen - exitedAt;
                }
            }
        }
        StringBuilder out = new StringBuilder();
        LatencyReport.percentiles(out, "exit." + variant + ".", samples, iterations);
        LatencyReport.publish(variant, out);
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir != null && !dir.isEmpty()) {
            StringBuilder raw = new StringBuilder();
            for (long sample : samples) {
                raw.append(sample).append('\n');
            }
            Files.writeString(Path.of(dir, "samples-" + variant + ".txt"), raw);
        }
    }

    private static Receiver receiver(String variant) throws IOException {
        switch (variant) {
            case "flux":
                return new FluxReceiver();
            case "onexit":
                return new OnExitReceiver();
            default:
                throw new IllegalArgumentException("unknown variant '" + variant + "': flux or onexit");
        }
    }

    /** The library: {@code Aem.exec}, the exit as {@code onNext} on the loop thread. */
    private static final class FluxReceiver implements Receiver {
        private final Aem aem;
        private final Scheduler onLoop;

        FluxReceiver() throws IOException {
            EventLoopOptions options = EventLoopOptions.defaults().withName("aem-exit");
            aem = Aem.create(1, Cpus.RECEIVER >= 0 ? options.withCpuAffinity(Cpus.RECEIVER) : options);
            onLoop = Schedulers.fromExecutor(aem.loops().get(0));
        }

        @Override
        public long startAndAwaitExit(List<String> argv) throws Exception {
            ProcessSpec spec = ProcessSpec.of(argv).withStdout(Redirect.DISCARD).withStderr(Redirect.DISCARD);
            CompletableFuture<Long> seen = new CompletableFuture<>();
            aem.exec(spec).subscribeOn(onLoop).subscribe(exit -> {
                long t = System.nanoTime();
                if (exit.isSuccess()) {
                    seen.complete(t);
                } else {
                    seen.completeExceptionally(new IllegalStateException("child ended " + exit.status()));
                }
            }, seen::completeExceptionally);
            return seen.get(NOTIFY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            onLoop.dispose();
            aem.close();
        }
    }

    /** The JDK: {@code ProcessHandle.onExit()}, completed by its process reaper thread. */
    private static final class OnExitReceiver implements Receiver {
        @Override
        public long startAndAwaitExit(List<String> argv) throws Exception {
            Process process = new ProcessBuilder(argv).redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            CompletableFuture<Long> seen = new CompletableFuture<>();
            process.toHandle().onExit().thenAccept(h -> seen.complete(System.nanoTime()));
            long t = seen.get(NOTIFY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!process.waitFor(NOTIFY_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("child did not exit with 0");
            }
            return t;
        }

        @Override
        public void close() {
        }
    }
}
