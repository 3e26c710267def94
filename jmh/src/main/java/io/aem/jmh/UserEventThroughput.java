package io.aem.jmh;

import com.sun.jna.Memory;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;
import io.aem.reactor.Aem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * User-event throughput: one writer thread signals as fast as it can, one subscriber with
 * unbounded demand receives the summed counts. Two C references are run beside it by
 * {@code run-benchmarks.sh} ({@code src/main/c/eventfd_throughput.c}): a writer pthread looping
 * {@code write(eventfd, 1)} (one system call per signal: the reference the throughput target
 * names), and a writer doing what {@link UserEvents} does ({@code atomic_fetch_add} on a shared
 * counter, {@code write(eventfd, 1)} only when it was zero); each with a reader pthread looping
 * {@code epoll_wait} + {@code read} (the doorbell reader then takes the counter with
 * {@code atomic_exchange}).
 *
 * <p>Signals coalesce: one event carries every signal made since the previous one, so a
 * subscriber sees fewer {@code onNext} calls (events) than signals. Reported per second:
 * <ul>
 *   <li>the primary score: signals made (calls completed by the JMH thread, pinned to
 *       {@link Cpus#SENDER});</li>
 *   <li>{@code signals}: signals delivered to the subscriber (the sum of the counts it received):
 *       the figure compared with the C references' {@code signals_per_s};</li>
 *   <li>{@code events}: {@code onNext} calls, comparable with the C references'
 *       {@code events_per_s}. Signals per event is {@code signals / events}.</li>
 * </ul>
 * The {@link #flux} variant also writes, to {@code $AEM_JMH_OUT/throughput-flux.txt}, the loop's
 * turns ({@code epoll_wait} returns) per event, the bytes the loop thread allocated per event, and
 * the share of events whose count is above 127 (a {@code Flux<Long>} boxes those into a new
 * {@code Long}, 24 bytes), over the measurement iterations.
 *
 * <p>Variants: {@link #flux} (the library: {@link UserEvents#signal()} → event loop pinned to
 * {@link Cpus#RECEIVER} → {@code Flux} subscriber) and {@link #jnaDirect} ({@link LibC#write}
 * per signal → a plain thread doing {@link LibC#epoll_wait} + {@link LibC#read}, same pinning:
 * what one JNA system call per signal costs).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class UserEventThroughput {

    /** What the receiving thread counted; written by that thread only. */
    static final class Tally {
        private final AtomicLong events = new AtomicLong();
        private final AtomicLong signals = new AtomicLong();
        /**
         * Events whose count is above 127, the end of {@link Long#valueOf}'s cache: in the Flux
         * path each of them is a new {@code Long}.
         */
        private final AtomicLong over127 = new AtomicLong();
        private long events0;
        private long signals0;
        private long over1270;

        /** Receiving thread: one event carrying {@code count} signals. */
        void add(long count) {
            events.lazySet(events.get() + 1);
            signals.lazySet(signals.get() + count);
            if (count > 127) {
                over127.lazySet(over127.get() + 1);
            }
        }

        /** JMH thread, at the start of an iteration. */
        void mark() {
            events0 = events.get();
            signals0 = signals.get();
            over1270 = over127.get();
        }

        long over127SinceMark() {
            return over127.get() - over1270;
        }

        long eventsSinceMark() {
            return events.get() - events0;
        }

        long signalsSinceMark() {
            return signals.get() - signals0;
        }
    }

    /** The library path: user events, a loop on the receiver CPU, a Flux subscriber counting. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class FluxSink {
        /** Secondary result: {@code onNext} calls per second. */
        public long events;
        /** Secondary result: signals delivered (sum of the counts received) per second. */
        public long signals;
        private final Tally tally = new Tally();
        UserEvents userEvents;
        private Aem aem;
        private Disposable subscription;
        private EventLoop loop;
        /** Over the measurement iterations: events, loop turns, loop-thread bytes allocated. */
        private long measuredEvents;
        private long measuredTurns;
        private long measuredOver127;
        private long measuredBytes = -1;
        private boolean measuring;
        private long turnsAtStart;
        private long bytesAtStart;

        /** Pins the JMH thread and marks the receiver's counts. */
        @Setup(Level.Iteration)
        public void startIteration(IterationParams params) {
            Cpus.pin(Cpus.SENDER);
            events = 0;
            signals = 0;
            tally.mark();
            measuring = params.getType() == IterationType.MEASUREMENT;
            turnsAtStart = loop.turns();
            bytesAtStart = Allocation.of(loop.thread());
        }

        /** Takes what the receiver counted during the iteration (JMH reads the fields after this). */
        @TearDown(Level.Iteration)
        public void endIteration() {
            long bytes = Allocation.of(loop.thread());
            long turns = loop.turns();
            events = tally.eventsSinceMark();
            signals = tally.signalsSinceMark();
            if (measuring) {
                measuredEvents += events;
                measuredOver127 += tally.over127SinceMark();
                measuredTurns += turns - turnsAtStart;
                if (bytes >= 0 && bytesAtStart >= 0) {
                    measuredBytes = Math.max(measuredBytes, 0) + bytes - bytesAtStart;
                }
            }
        }

        /** Opens the loop and subscribes with unbounded demand. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            aem = Aem.create(List.of(EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER)));
            loop = aem.loops().get(0);
            userEvents = UserEvents.create("throughput");
            subscription = aem.userEvents(userEvents).subscribe(tally::add, error -> error.printStackTrace());
        }

        /** Reports the loop's figures, cancels and closes the loop. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            StringBuilder out = new StringBuilder();
            long n = Math.max(1, measuredEvents);
            out.append(String.format(Locale.ROOT, "throughput.flux.loop_turns_per_event %.3f%n",
                    (double) measuredTurns / n));
            out.append(String.format(Locale.ROOT, "throughput.flux.events_over_127_share %.4f%n",
                    (double) measuredOver127 / n));
            if (measuredBytes >= 0) {
                out.append(String.format(Locale.ROOT, "throughput.flux.receiver_alloc_bytes_per_event %.2f%n",
                        (double) measuredBytes / n));
            }
            System.out.print(out);
            String dir = System.getenv("AEM_JMH_OUT");
            if (dir != null && !dir.isEmpty()) {
                Files.writeString(Path.of(dir, "throughput-flux.txt"), out, StandardCharsets.UTF_8);
            }
            subscription.dispose();
            aem.close();
        }
    }

    /** The baseline: a plain JNA reader thread on the receiver CPU. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class JnaSink {
        /** Secondary result: {@code onNext} calls (reads that returned a count) per second. */
        public long events;
        /** Secondary result: signals delivered (sum of the counts received) per second. */
        public long signals;
        private final Tally tally = new Tally();

        /** Pins the JMH thread and marks the receiver's counts. */
        @Setup(Level.Iteration)
        public void startIteration() {
            Cpus.pin(Cpus.SENDER);
            events = 0;
            signals = 0;
            tally.mark();
        }

        /** Takes what the receiver counted during the iteration (JMH reads the fields after this). */
        @TearDown(Level.Iteration)
        public void endIteration() {
            events = tally.eventsSinceMark();
            signals = tally.signalsSinceMark();
        }
        int fd;
        final Memory one = new Memory(8);
        private Thread receiver;
        private volatile boolean running = true;

        /** Creates the eventfd and starts the reader thread. */
        @Setup(Level.Trial)
        public void open() {
            Cpus.pin(Cpus.SENDER);
            one.setLong(0, 1);
            fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("eventfd: errno " + -fd);
            }
            receiver = new Thread(this::receive, "jna-receiver");
            receiver.setDaemon(true);
            receiver.start();
        }

        private void receive() {
            Cpus.pin(Cpus.RECEIVER);
            int epfd = Epoll.create();
            try (EpollEventArray ready = new EpollEventArray(1); Memory buf = new Memory(16)) {
                if (Epoll.ctl(epfd, Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLIN, 0, buf) < 0) {
                    throw new IllegalStateException("epoll_ctl failed");
                }
                while (running) {
                    if (LibC.epoll_wait(epfd, ready.pointer(), 1, 100) <= 0) {
                        continue;
                    }
                    if (LibC.read(fd, buf, 8) == 8) {
                        tally.add(buf.getLong(0));
                    }
                }
            } finally {
                LibC.close(epfd);
            }
        }

        /** Stops the reader and closes the eventfd. */
        @TearDown(Level.Trial)
        public void close() throws InterruptedException {
            running = false;
            receiver.join(2000);
            LibC.close(fd);
            one.close();
        }
    }

    /** One signal through the library. */
    @Benchmark
    public boolean flux(FluxSink s) {
        return s.userEvents.signal();
    }

    /** One {@code write(2)} of 1 on the eventfd, through JNA direct mapping. */
    @Benchmark
    public long jnaDirect(JnaSink s) {
        return LibC.write(s.fd, s.one, 8);
    }
}
