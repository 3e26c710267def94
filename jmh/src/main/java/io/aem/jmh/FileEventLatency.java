package io.aem.jmh;

import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.reactor.Aem;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import reactor.core.Disposable;

/**
 * A written file's {@code close()} → the event in the receiver's hands on another CPU. The C
 * reference ({@code src/main/c/inotify_latency.c}) does the same with a plain inotify fd and is
 * run beside this benchmark by {@code run-file-benchmarks.sh}.
 *
 * <p><b>Shape.</b> A ping-pong, one event in flight. The JMH thread (pinned to
 * {@link Cpus#SENDER}) is the writer ({@link ClosingWriter}): it opens one of eight existing
 * files of the watched directory (system property {@code aem.bench.dir}) for writing, reads
 * {@code System.nanoTime()}, writes one byte, reads {@code System.nanoTime()} again, closes the
 * file, and waits for the receiver's answer ({@link Pong}). The receiver (pinned to
 * {@link Cpus#RECEIVER}) reads {@code System.nanoTime()} as soon as it holds the event, checks it
 * is the event of the file just written, and answers. Per event two one-way figures come out
 * ({@link CloseLatencyRecorder}): <b>close → event</b> (from just before {@code close(2)}) and
 * <b>write → event</b> (from just before {@code write(2)}; includes the write and close calls
 * themselves). JMH's own figure is the round trip of one cycle.
 *
 * <p><b>Variants.</b>
 * <ul>
 *   <li>{@link #watchService}: the JDK's {@link WatchService} with {@code ENTRY_MODIFY} on the
 *       directory. The JDK has no close event: on Linux it maps {@code ENTRY_MODIFY} to
 *       {@code IN_MODIFY | IN_ATTRIB}, so the event it reports is the <em>write</em>'s
 *       {@code IN_MODIFY}, queued before the writer even closes. Its inotify fd is read by the
 *       JDK's own poller thread ("FileSystemWatchService", a {@code poll(2)} loop), which puts
 *       the key on a queue; the receiver thread blocks in {@link WatchService#take()} and reads
 *       the clock when it returns. Both JDK threads, the poller and the receiver, are pinned to
 *       {@link Cpus#RECEIVER}. For this variant the figure comparable with the others' close →
 *       event is its write → event: from the call that causes the event it reports to the event
 *       in hand (see docs/benchmarks.md).</li>
 *   <li>{@link #flux}: {@code Aem.watch(FileWatch.directory(dir).withKinds(CLOSE_WRITE))} on one
 *       loop built by {@code Aem.create(1, template)} with {@code withCpuAffinity(RECEIVER)},
 *       subscribed with unbounded demand; the clock is read first thing in {@code onNext}, on the
 *       loop thread, then the event's kind and file name are checked and the answer written. The
 *       event is the close's {@code IN_CLOSE_WRITE}, as in the C reference. The trial also
 *       reports the loop's turns per event.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class FileEventLatency {

    /** The watched directory, from the system property {@code aem.bench.dir}. */
    static Path dir() {
        String dir = System.getProperty("aem.bench.dir");
        if (dir == null || dir.isEmpty()) {
            throw new IllegalStateException("set -Daem.bench.dir to the directory to watch (run-file-benchmarks.sh does)");
        }
        return Path.of(dir);
    }

    /** The JDK watch service, its receiver thread, the writer and the answer channel. */
    @State(Scope.Benchmark)
    public static class JdkWatch {
        ClosingWriter writer;
        WatchService watch;
        Thread receiver;
        Pong pong;
        final CloseLatencyRecorder recorder = new CloseLatencyRecorder("watchservice");

        /** Registers the directory, pins the JDK poller and starts the receiver. */
        @Setup(Level.Trial)
        public void open() throws IOException {
            Cpus.pin(Cpus.SENDER);
            Path dir = dir();
            writer = new ClosingWriter(dir);
            pong = new Pong();
            watch = FileSystems.getDefault().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_MODIFY);
            int pinned = Cpus.pinThreadsNamed("FileSystemWatch", Cpus.RECEIVER);
            recorder.note("jdk_poller_threads_pinned", Integer.toString(pinned));
            receiver = new Thread(this::receive, "watch-receiver");
            receiver.setDaemon(true);
            recorder.receiver(receiver);
            receiver.start();
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
                long now = System.nanoTime();
                List<WatchEvent<?>> events = key.pollEvents();
                key.reset();
                WatchEvent<?> e = events.size() == 1 ? events.get(0) : null;
                boolean matches = e != null && e.kind() == StandardWatchEventKinds.ENTRY_MODIFY && e.count() == 1
                        && e.context() instanceof Path && writer.isFile((Path) e.context(), recorder.expected);
                recorder.arrived(now, matches);
                pong.answer();
            }
        }

        /** Keeps the JMH thread pinned and records in measurement iterations only. */
        @Setup(Level.Iteration)
        public void beginIteration(IterationParams params) {
            Cpus.pin(Cpus.SENDER);
            recorder.beginIteration(params.getType() == IterationType.MEASUREMENT);
        }

        /** Ends the iteration's recording. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            recorder.endIteration();
        }

        /** Reports, stops the receiver and closes everything. */
        @TearDown(Level.Trial)
        public void close() throws IOException, InterruptedException {
            recorder.report();
            watch.close();
            receiver.join(2000);
            pong.close();
            writer.close();
        }
    }

    /** The library's watch on a pinned loop, the writer and the answer channel. */
    @State(Scope.Benchmark)
    public static class AemWatch {
        ClosingWriter writer;
        Aem aem;
        Disposable subscription;
        Pong pong;
        final CloseLatencyRecorder recorder = new CloseLatencyRecorder("flux");
        /** Events before this is set are the set-up's, not answered. */
        volatile boolean armed;
        volatile boolean seen;
        volatile Throwable failure;
        private long cycles;
        private long turns0;
        private boolean measuring;

        /** Opens the loop on the receiver CPU, subscribes, and waits until the watch reports. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            Path dir = dir();
            writer = new ClosingWriter(dir);
            pong = new Pong();
            aem = Aem.create(1, EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER));
            subscription = aem.watch(FileWatch.directory(dir).withKinds(FileEventKind.CLOSE_WRITE)).subscribe(event -> {
                long now = System.nanoTime();
                if (!armed) {
                    seen = true;
                    return;
                }
                boolean matches = event.kind() == FileEventKind.CLOSE_WRITE && writer.isFile(event.path(), recorder.expected);
                recorder.arrived(now, matches);
                pong.answer();
            }, error -> failure = error);
            recorder.receiver(aem.loops().get(0).thread());
            // The watch is added on the loop thread after subscribe returns: write until it reports.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!seen) {
                if (failure != null) {
                    throw new IllegalStateException("the watch failed", failure);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the watch reported nothing in 5 s");
                }
                writer.cycle(recorder);
                Thread.sleep(20);
            }
            Thread.sleep(100);
            armed = true;
        }

        /** Keeps the JMH thread pinned and records in measurement iterations only. */
        @Setup(Level.Iteration)
        public void beginIteration(IterationParams params) {
            Cpus.pin(Cpus.SENDER);
            if (params.getType() == IterationType.MEASUREMENT && !measuring) {
                measuring = true;
                cycles = 0;
                turns0 = aem.loops().get(0).turns();
            }
            recorder.beginIteration(params.getType() == IterationType.MEASUREMENT);
        }

        /** Ends the iteration's recording. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            recorder.endIteration();
        }

        /** Reports, with the loop's turns per event, and closes everything. */
        @TearDown(Level.Trial)
        public void close() {
            recorder.note("loop_turns_per_event", String.format(Locale.ROOT, "%.3f",
                    (double) (aem.loops().get(0).turns() - turns0) / Math.max(1, cycles)));
            recorder.report();
            subscription.dispose();
            aem.close();
            pong.close();
            writer.close();
        }
    }

    /** One cycle through the library's watch: write and close a file, wait for the answer. */
    @Benchmark
    public void flux(AemWatch s) {
        s.cycles++;
        s.writer.cycle(s.recorder);
        s.pong.await();
    }

    /** One cycle through the JDK watch service: write and close a file, wait for the answer. */
    @Benchmark
    public void watchService(JdkWatch s) {
        s.writer.cycle(s.recorder);
        s.pong.await();
    }
}
