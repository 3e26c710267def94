package io.aem.jmh;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.Io;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A design study for user events, kept beside the benchmarks that measure it: signals are counted
 * in a Java {@link AtomicLong} and the eventfd only rings the loop's doorbell, written by the
 * signal that finds the count at zero. While the subscriber has not taken the count yet, a
 * signal costs one atomic add and no system call.
 *
 * <p>Correctness: the count is reset only by the loop, after it has read the doorbell; a signal
 * that moves the count from zero always rings, so a non-zero count is always followed by a
 * doorbell read. A doorbell that rings after the loop took the count along with the signal that
 * rang it yields an empty read ({@code decode} returns {@code null}), never a lost signal. With no
 * demand the loop stops reading the doorbell, the count keeps adding up in the {@code AtomicLong}
 * and signals stop ringing: the same backpressure as the kernel counter, without a system call per
 * signal.
 *
 * <p>Not a library class: no completion, no semaphore mode, counts up to {@code Long.MAX_VALUE}.
 */
final class CoalescingUserEvents implements EventSource<Long> {
    private static final ThreadLocal<Memory> ONE = ThreadLocal.withInitial(() -> {
        Memory m = new Memory(8);
        m.setLong(0, 1);
        return m;
    });

    private final AtomicLong pending = new AtomicLong();
    private final OwnedFd fd;

    CoalescingUserEvents() throws KernelException {
        int r = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (r < 0) {
            throw Errno.exception("eventfd", -r, null);
        }
        fd = new OwnedFd(r, "eventfd (coalescing user events)");
    }

    /** Adds one; rings the doorbell only when the count was zero. Any thread. */
    boolean signal() {
        if (pending.getAndIncrement() == 0) {
            int f = fd.acquire();
            try {
                Io.write(f, ONE.get(), 8);
            } finally {
                fd.release();
            }
        }
        return true;
    }

    @Override
    public String name() {
        return "coalescing user events";
    }

    @Override
    public OwnedFd open(SourceContext context) {
        return fd;
    }

    @Override
    public int batchSize() {
        return 8;
    }

    @Override
    public int read(OwnedFd owned, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Io.read(owned.get(), buffer.address(), 8);
            if (n == 8) {
                return 8;
            }
            if (n == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read(eventfd)", (int) -n, name());
            }
        }
    }

    @Override
    public Long decode(ByteBuffer batch, SourceContext context) {
        batch.getLong(); // the doorbell's own count carries nothing
        long n = pending.getAndSet(0);
        return n == 0 ? null : n;
    }
}
