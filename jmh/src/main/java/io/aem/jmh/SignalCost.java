package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.aem.linux.event.UserEvents;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;
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

/**
 * The single-thread cost of the system calls on the user-event path, with no other thread
 * involved, so that the throughput and latency figures can be taken apart: one signal
 * ({@link UserEvents#signal()}) against one plain JNA {@code write(2)} of the same 8 bytes, and
 * the {@code read(2)} of an empty eventfd that answers {@code EAGAIN} (what the event loop does
 * once per wake-up after draining the counter). Nobody reads these eventfds: the counter only
 * grows, and cannot reach its maximum ({@code 2^64 - 2}) in any run. {@link #jnaCallNoSyscall} is
 * the cost of the JNA call alone.
 *
 * <p>The C reference for the same calls is printed by {@code eventfd_throughput}
 * ({@code write_alone_ns}, {@code read_empty_ns}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class SignalCost {

    /** Two eventfds: one behind {@link UserEvents}, one written and read through {@link LibC}. */
    @State(Scope.Thread)
    public static class Fds {
        UserEvents events;
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
            fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            emptyFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            if (fd < 0 || emptyFd < 0) {
                throw new IllegalStateException("eventfd refused");
            }
        }

        /** Closes the eventfds. */
        @TearDown(Level.Trial)
        public void close() {
            events.close();
            LibC.close(fd);
            LibC.close(emptyFd);
            one.close();
            buf.close();
        }
    }

    /** {@link UserEvents#signal()}: the library's write path. */
    @Benchmark
    public boolean userEventsSignal(Fds s) {
        return s.events.signal();
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
