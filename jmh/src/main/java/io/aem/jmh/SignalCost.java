package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.aem.linux.event.UserEvents;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * The single-thread cost of the calls on the user-event path, with no other thread involved, so
 * that the throughput and latency figures can be taken apart.
 *
 * <p>{@link UserEvents#signal()} has two paths. It adds to a counter in the JVM with a
 * compare-and-set, and only the signal that finds the counter at zero writes the eventfd (rings
 * the loop's doorbell). Nobody takes the counter here, so:
 * <ul>
 *   <li>{@link #userEventsSignal} rings once, at its first call, and from then on measures the
 *       compare-and-set path alone: what a signal costs while the loop has not yet taken the
 *       previous ones (under load, nearly every signal). Its C counterpart is
 *       {@code fetch_add_alone_ns} of {@code eventfd_throughput ... doorbell}.</li>
 *   <li>{@link #userEventsSignalRing} puts the counter back to zero before every call (a plain
 *       store into the private field, reached by reflection at setup: the benchmark's stand-in
 *       for the loop taking the counter), so every call rings: the path of a signal that wakes
 *       an idle loop, as in the latency ping-pong. Compare with {@link #jnaWrite}.</li>
 * </ul>
 * Beside them: one plain JNA {@code write(2)} of the same 8 bytes, the {@code read(2)} of an
 * empty eventfd that answers {@code EAGAIN}, and {@link #jnaCallNoSyscall}, the cost of a JNA
 * call alone. Nobody reads these eventfds: their counters only grow, and cannot reach the
 * maximum ({@code 2^64 - 2}) in any run.
 *
 * <p>The C references for the system calls are printed by {@code eventfd_throughput}
 * ({@code write_alone_ns}, {@code read_empty_ns}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class SignalCost {

    /** Two user events, and two eventfds written and read through {@link LibC}. */
    @State(Scope.Thread)
    public static class Fds {
        UserEvents events;
        UserEvents ringing;
        /** The counter of {@link #ringing}. */
        AtomicLong ringingCounter;
        int fd;
        int emptyFd;
        final Memory one = new Memory(8);
        final Memory buf = new Memory(8);

        /** Pins the JMH thread to the sender CPU and opens the eventfds. */
        @Setup(Level.Trial)
        public void open() throws Exception {
            Cpus.pin(Cpus.SENDER);
            one.setLong(0, 1);
            events = UserEvents.create("signal-cost");
            ringing = UserEvents.create("signal-cost-ring");
            ringingCounter = counterOf(ringing);
            fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            emptyFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            if (fd < 0 || emptyFd < 0) {
                throw new IllegalStateException("eventfd refused");
            }
        }

        /** The private counter of user events, for {@link #userEventsSignalRing} only. */
        private static AtomicLong counterOf(UserEvents events) throws ReflectiveOperationException {
            Field f;
            try {
                f = UserEvents.class.getDeclaredField("pending");
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("UserEvents has no AtomicLong field 'pending' any more: update"
                        + " SignalCost.userEventsSignalRing to the new way it counts", e);
            }
            f.setAccessible(true);
            return (AtomicLong) f.get(events);
        }

        /** Closes the eventfds. */
        @TearDown(Level.Trial)
        public void close() {
            events.close();
            ringing.close();
            LibC.close(fd);
            LibC.close(emptyFd);
            one.close();
            buf.close();
        }
    }

    /** {@link UserEvents#signal()} on a counter that is never zero: the compare-and-set path, no system call. */
    @Benchmark
    public boolean userEventsSignal(Fds s) {
        return s.events.signal();
    }

    /** {@link UserEvents#signal()} on a counter put back to zero first: compare-and-set and the eventfd write. */
    @Benchmark
    public boolean userEventsSignalRing(Fds s) {
        s.ringingCounter.lazySet(0);
        return s.ringing.signal();
    }

    /** {@code write(fd, &1, 8)} through JNA direct mapping. */
    @Benchmark
    public long jnaWrite(Fds s) {
        return LibC.write(s.fd, s.one, 8);
    }

    /** A JNA direct call with three arguments and no system call ({@code memchr} of 0 bytes). */
    @Benchmark
    public Pointer jnaCallNoSyscall(Fds s) {
        return NoSyscall.memchr(s.one, 7, 0);
    }

    /** {@code read} of an empty non-blocking eventfd ({@code EAGAIN}) through JNA direct mapping. */
    @Benchmark
    public long jnaReadEmpty(Fds s) {
        return LibC.read(s.emptyFd, s.buf, 8);
    }
}
