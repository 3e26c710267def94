package io.aem.jmh;

import com.sun.jna.Memory;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;
import io.aem.reactor.Aem;
import java.util.List;
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
import reactor.core.Disposable;

/**
 * User-event throughput: one writer thread signals as fast as it can, one subscriber with
 * unbounded demand receives the summed counts. The C reference
 * ({@code src/main/c/eventfd_throughput.c}: a writer pthread looping {@code write(eventfd)}, a
 * reader pthread looping {@code epoll_wait} + {@code read}) is run beside it by
 * {@code run-benchmarks.sh}.
 *
 * <p>eventfd coalesces: one read returns every signal written since the previous read, so a
 * subscriber sees fewer {@code onNext} calls (events) than signals. Reported per second:
 * <ul>
 *   <li>the primary score: signals written ({@link UserEvents#signal()} calls completed by the
 *       JMH thread, pinned to {@link Cpus#SENDER});</li>
 *   <li>{@code signals}: signals delivered to the subscriber (the sum of the counts it received):
 *       the figure compared with the C reference's {@code signals_per_s};</li>
 *   <li>{@code events}: {@code onNext} calls (reads that returned a count), comparable with the
 *       C reference's {@code events_per_s}. Signals per event is {@code signals / events}.</li>
 * </ul>
 *
 * <p>Variants: {@link #flux} (the library: {@link UserEvents#signal()} → event loop pinned to
 * {@link Cpus#RECEIVER} → {@code Flux} subscriber), {@link #jnaDirect} ({@link LibC#write} →
 * a plain thread doing {@link LibC#epoll_wait} + {@link LibC#read}, same pinning), and
 * {@link #fluxCoalescing}, a design study ({@link CoalescingUserEvents}) that counts signals in
 * Java and writes the eventfd only to wake the loop.
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
        private long events0;
        private long signals0;

        /** Receiving thread: one event carrying {@code count} signals. */
        void add(long count) {
            events.lazySet(events.get() + 1);
            signals.lazySet(signals.get() + count);
        }

        /** JMH thread, at the start of an iteration. */
        void mark() {
            events0 = events.get();
            signals0 = signals.get();
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
        UserEvents userEvents;
        private Aem aem;
        private Disposable subscription;

        /** Opens the loop and subscribes with unbounded demand. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            aem = Aem.create(List.of(EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER)));
            userEvents = UserEvents.create("throughput");
            subscription = aem.userEvents(userEvents).subscribe(tally::add, error -> error.printStackTrace());
        }

        /** Cancels and closes the loop. */
        @TearDown(Level.Trial)
        public void close() {
            subscription.dispose();
            aem.close();
        }
    }

    /**
     * A design study, not the library: {@link CoalescingUserEvents}, where the eventfd is only a
     * doorbell rung by the signal that finds the Java count at zero, on the same loop and Flux.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class CoalescingSink {
        /** Secondary result: {@code onNext} calls per second. */
        public long events;
        /** Secondary result: signals delivered (sum of the counts received) per second. */
        public long signals;
        private final Tally tally = new Tally();
        CoalescingUserEvents userEvents;
        private Aem aem;
        private Disposable subscription;

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

        /** Opens the loop and subscribes with unbounded demand. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            aem = Aem.create(List.of(EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER)));
            userEvents = new CoalescingUserEvents();
            subscription = aem.flux(userEvents).subscribe(tally::add, error -> error.printStackTrace());
        }

        /** Cancels and closes the loop. */
        @TearDown(Level.Trial)
        public void close() {
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

    /** One signal through the coalescing design study ({@link CoalescingUserEvents}). */
    @Benchmark
    public boolean fluxCoalescing(CoalescingSink s) {
        return s.userEvents.signal();
    }

    /** One {@code write(2)} of 1 on the eventfd, through JNA direct mapping. */
    @Benchmark
    public long jnaDirect(JnaSink s) {
        return LibC.write(s.fd, s.one, 8);
    }
}
