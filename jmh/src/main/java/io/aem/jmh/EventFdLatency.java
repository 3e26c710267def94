package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;
import io.aem.reactor.Aem;
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
 * eventfd signal → event in hand on another CPU: user events through the {@code Flux}, beside a
 * plain JNA {@code epoll_wait} + {@code read} thread. The C reference
 * ({@code src/main/c/eventfd_pingpong.c}) does the same in C and is run beside this benchmark by
 * {@code run-benchmarks.sh}.
 *
 * <p><b>Shape.</b> A ping-pong. The JMH thread (pinned to {@link Cpus#SENDER}) reads
 * {@code System.nanoTime()}, signals, and waits for the answer; the receiver (pinned to
 * {@link Cpus#RECEIVER}) takes {@code System.nanoTime()} as soon as it holds the event and
 * answers on a second eventfd ({@link Pong}). Two figures come out:
 * <ul>
 *   <li><b>one-way</b>: receiver's time minus sender's time, per event, both on
 *       {@code CLOCK_MONOTONIC}; printed at the end of the trial and written to
 *       {@code $AEM_JMH_OUT/latency-<variant>.txt} (p50, p90, p99, p99.9, max). This is the
 *       figure compared with the C reference's one-way latency.</li>
 *   <li><b>round trip</b>: JMH's {@link Mode#SampleTime} of one benchmark call (signal, wake,
 *       answer, wake), with JMH's percentiles.</li>
 * </ul>
 *
 * <p><b>Variants.</b>
 * <ul>
 *   <li>{@link #flux}: {@link UserEvents#signal()} → the event loop's {@code epoll_wait} →
 *       {@code read} → {@code Flux} {@code onNext}, on a loop built by {@link Aem} and pinned
 *       with {@link EventLoopOptions#withCpuAffinity}. The time is taken first thing in
 *       {@code onNext}. {@code UserEvents} counts signals in the JVM and writes its eventfd only
 *       for the signal that finds the counter at zero; in this ping-pong that is every signal,
 *       because the loop takes the counter before {@code onNext} and the sender signals again
 *       only after the answer. So each ping is a compare-and-set plus one {@code write(2)}, like
 *       the other variants' {@code write}. The trial checks it: every event must carry a count of
 *       exactly 1 ({@code latency.flux.events_not_1} in the report, expected 0), and the loop
 *       must turn once per event.</li>
 *   <li>{@link #jnaDirect}: {@link LibC#write} → a plain thread doing {@link LibC#epoll_wait} +
 *       {@link LibC#read}; no loop, no Flux. The time is taken after {@code read}, as in C.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class EventFdLatency {

    /** The user events, the Flux subscriber on a pinned loop, and the answer channel. */
    @State(Scope.Benchmark)
    public static class FluxPingPong {
        Aem aem;
        UserEvents events;
        Disposable subscription;
        Pong pong;
        final OneWayRecorder recorder = new OneWayRecorder("flux");
        /** Signals sent, counted by the JMH thread. */
        long signals;
        /**
         * Events whose count was not 1, counted by the loop thread: a signal that did not ring
         * (merged into another event) would show here, and its one-way time would be wrong.
         */
        volatile long eventsNot1;
        private boolean measuring;
        private long signals0;
        private long turns0;
        private long wakeups0;

        /** Opens the loop on the receiver CPU and subscribes with unbounded demand. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            pong = new Pong();
            aem = Aem.create(List.of(EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER)));
            events = UserEvents.create("latency");
            subscription = aem.userEvents(events).subscribe(
                    count -> {
                        recorder.arrived(System.nanoTime());
                        pong.answer();
                        if (count != 1L) {
                            eventsNot1 = eventsNot1 + 1;
                        }
                    },
                    error -> error.printStackTrace());
            recorder.receiver(aem.loops().get(0).thread());
        }

        /** Keeps the JMH thread pinned and records one-way times in measurement iterations only. */
        @Setup(Level.Iteration)
        public void beginIteration(IterationParams params) {
            Cpus.pin(Cpus.SENDER);
            if (params.getType() == IterationType.MEASUREMENT && !measuring) {
                measuring = true;
                signals0 = signals;
                turns0 = aem.loops().get(0).turns();
                wakeups0 = aem.loops().get(0).wakeups();
            }
            recorder.beginIteration(params.getType() == IterationType.MEASUREMENT);
        }

        /** Ends the iteration's recording. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            recorder.endIteration();
        }

        /** Reports the one-way figures and the loop's counters, and closes everything. */
        @TearDown(Level.Trial)
        public void close() {
            EventLoop loop = aem.loops().get(0);
            recorder.note("loop_turns_per_event", String.format(Locale.ROOT, "%.3f",
                    (double) (loop.turns() - turns0) / Math.max(1, signals - signals0)));
            recorder.note("loop_task_wakeups", Long.toString(loop.wakeups() - wakeups0));
            recorder.note("events_not_1", Long.toString(eventsNot1));
            recorder.report();
            subscription.dispose();
            aem.close();
            pong.close();
        }
    }

    /** A plain JNA reader thread on the receiver CPU: {@code epoll_wait} + {@code read}, then answer. */
    @State(Scope.Benchmark)
    public static class JnaPingPong {
        int fd;
        final Memory one = new Memory(8);
        Pong pong;
        Thread receiver;
        volatile boolean running = true;
        final OneWayRecorder recorder = new OneWayRecorder("jna");

        /** Creates the eventfd and starts the reader thread. */
        @Setup(Level.Trial)
        public void open() {
            Cpus.pin(Cpus.SENDER);
            one.setLong(0, 1);
            pong = new Pong();
            fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("eventfd: errno " + -fd);
            }
            receiver = new Thread(this::receive, "jna-receiver");
            receiver.setDaemon(true);
            recorder.receiver(receiver);
            receiver.start();
        }

        private void receive() {
            Cpus.pin(Cpus.RECEIVER);
            int epfd = Epoll.create();
            try (EpollEventArray ready = new EpollEventArray(1); Memory buf = new Memory(16)) {
                if (Epoll.ctl(epfd, Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLIN, 0, buf) < 0) {
                    throw new IllegalStateException("epoll_ctl: errno " + Native.getLastError());
                }
                while (running) {
                    int n = LibC.epoll_wait(epfd, ready.pointer(), 1, 100);
                    if (n <= 0) {
                        continue;
                    }
                    if (LibC.read(fd, buf, 8) != 8) {
                        continue;
                    }
                    recorder.arrived(System.nanoTime());
                    pong.answer();
                }
            } finally {
                LibC.close(epfd);
            }
        }

        /** Keeps the JMH thread pinned and records one-way times in measurement iterations only. */
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

        /** Reports the one-way figures, stops the reader and closes the fds. */
        @TearDown(Level.Trial)
        public void close() throws InterruptedException {
            recorder.report();
            running = false;
            receiver.join(2000);
            LibC.close(fd);
            pong.close();
            one.close();
        }
    }

    /** One ping-pong through the Flux: signal, then wait for the subscriber's answer. */
    @Benchmark
    public void flux(FluxPingPong s) {
        s.signals++;
        s.recorder.sentAt = System.nanoTime();
        s.events.signal();
        s.pong.await();
    }

    /** One ping-pong through a plain JNA reader thread. */
    @Benchmark
    public void jnaDirect(JnaPingPong s) {
        s.recorder.sentAt = System.nanoTime();
        LibC.write(s.fd, s.one, 8);
        s.pong.await();
    }
}
