package io.aem.linux.event;

import com.sun.jna.Memory;
import io.aem.linux.ClosedFdException;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.Io;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * User events: any thread {@link #signal(long) signals}, one subscriber receives the counts
 * (AEM's core user events), with an {@code eventfd(2)} as the loop's doorbell.
 *
 * <p><b>Counting, not queueing.</b> Signals add to one 64-bit counter. Each event the subscriber
 * receives is the sum of the signals since the previous one, so nothing is lost while the
 * subscriber has no demand: the counter keeps adding up and arrives as one summed event when
 * demand returns. In {@linkplain #createSemaphore semaphore mode} each unit is delivered as its
 * own event of {@code 1} instead. The counter is the most this source ever holds: one number,
 * whatever the number of signals.
 *
 * <p><b>A doorbell, not a system call per signal.</b> The counter lives in the JVM; only the
 * signal that finds it at zero writes the eventfd, which makes the fd readable and wakes the
 * loop. The loop empties the eventfd first and takes the counter second, so a signal that lands
 * in between is either taken now or rings again: none is missed. While the subscriber keeps up
 * or has no demand, signals cost a compare-and-set and no system call (Netty wakes its loops the
 * same way).
 *
 * <p><b>One subscriber.</b> The eventfd is created with this object, so signals made before
 * anyone subscribes are kept. It serves a single subscription; when that subscription ends
 * (cancel, {@link #complete()}, error, loop shutdown, or a loop already closed at subscription;
 * a cancel that comes before the loop served the subscription too) the eventfd is closed and
 * further signals are refused. A second subscriber receives {@link IllegalStateException}.
 * {@link #close()} releases an eventfd that was never subscribed.
 *
 * <p>Costs: a compare-and-set per signal, plus one 8-byte {@code write(2)} (about 0.5 µs here)
 * for the signal that rings; from any thread, lock-free.
 */
public final class UserEvents implements EventSource<Long>, AutoCloseable {
    /** The doorbell's value, written from any thread: native memory that is never changed after creation. */
    private static final Memory ONE = one();

    private final String name;
    private final boolean semaphore;
    private final OwnedFd fd;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile boolean completing;
    private volatile SourceContext context;

    private UserEvents(String name, boolean semaphore, OwnedFd fd) {
        this.name = name;
        this.semaphore = semaphore;
        this.fd = fd;
    }

    private static Memory one() {
        Memory m = new Memory(8);
        m.setLong(0, 1L);
        return m;
    }

    /**
     * Creates user events whose subscriber receives summed counts.
     *
     * @param name for messages and metrics
     * @return the source, with its eventfd open
     * @throws KernelException when the kernel refuses the eventfd (the fd limit, with its value)
     */
    public static UserEvents create(String name) throws KernelException {
        return create(name, false);
    }

    /**
     * Creates user events in semaphore mode: each signalled unit is its own event of {@code 1}.
     *
     * @param name for messages and metrics
     * @return the source, with its eventfd open
     * @throws KernelException when the kernel refuses the eventfd
     */
    public static UserEvents createSemaphore(String name) throws KernelException {
        return create(name, true);
    }

    private static UserEvents create(String name, boolean semaphore) throws KernelException {
        int r = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (r < 0) {
            throw Errno.exception("eventfd", -r, null);
        }
        return new UserEvents(name, semaphore, new OwnedFd(r, "eventfd (user events '" + name + "')"));
    }

    /**
     * Adds one to the counter. Any thread.
     *
     * @return {@code false} if the counter is full (see {@link #signal(long)})
     * @throws io.aem.linux.ClosedFdException when the source is closed
     */
    public boolean signal() {
        return signal(1);
    }

    /**
     * Adds {@code n} to the counter, and rings the loop's doorbell if the counter was at zero.
     * Any thread.
     *
     * @param n at least 1
     * @return {@code true} if added; {@code false} if the counter would pass {@code Long.MAX_VALUE}
     *         because the subscriber has not taken it for that long: nothing was added
     * @throws IllegalArgumentException        if {@code n < 1}
     * @throws io.aem.linux.ClosedFdException when the source is closed (its subscription ended);
     *                                         the signal is then not delivered
     */
    public boolean signal(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("user events '" + name + "': signal(n) needs n >= 1, was " + n);
        }
        if (!fd.isOpen()) {
            throw new ClosedFdException(fd.toString());
        }
        long prev;
        do {
            prev = pending.get();
            if (prev > Long.MAX_VALUE - n) {
                return false;
            }
        } while (!pending.compareAndSet(prev, prev + n));
        if (prev == 0) {
            ring();
        }
        return true;
    }

    /** Writes the doorbell; refused with {@link ClosedFdException} once the eventfd is closed. */
    private void ring() {
        int f = fd.acquire();
        try {
            for (;;) {
                long r = Io.write(f, ONE, 8);
                if (r == 8 || r == -Errno.EAGAIN) {
                    return;
                }
                if (r != -Errno.EINTR) {
                    throw new UncheckedIOException(Errno.exception("write(eventfd)", (int) -r, "user events '" + name + "'"));
                }
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Ends the stream: the subscriber receives what was signalled before this call, then
     * {@code onComplete}, which needs no demand: it follows the last pending event, or comes at
     * once when nothing is pending. Any thread; idempotent.
     */
    public void complete() {
        completing = true;
        SourceContext c = context;
        if (c != null) {
            c.readAgain();
        }
    }

    /** Whether the eventfd is still open. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * Closes the eventfd if no subscription owns it; an active subscription is not affected
     * (it closes the eventfd when it ends). Idempotent.
     */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            fd.close();
        }
    }

    @Override
    public String name() {
        return "eventfd user events '" + name + "'" + (semaphore ? " (semaphore)" : "");
    }

    /**
     * Hands the eventfd to the subscription.
     *
     * @throws IllegalStateException when another subscription has it, or it was closed
     */
    @Override
    public OwnedFd open(SourceContext ctx) {
        if (!claimed.compareAndSet(false, true)) {
            throw new IllegalStateException("user events '" + name + "' serve one subscriber and already had one"
                    + (fd.isOpen() ? "" : " (now closed)") + "; create another UserEvents for another subscriber");
        }
        context = ctx;
        if (completing) {
            ctx.readAgain();
        }
        return fd;
    }

    @Override
    public int batchSize() {
        return 8;
    }

    /** One read takes the whole counter, in both modes. */
    @Override
    public boolean oneReadEmptiesFd() {
        return true;
    }

    /**
     * Empties the doorbell, then takes the counter into the batch buffer. Nothing pending gives
     * {@link #WOULD_BLOCK}, or {@link #END_OF_STREAM} once {@link #complete()} was called.
     */
    @Override
    public int read(OwnedFd owned, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Io.read(owned.get(), buffer.address(), 8);
            if (n == 8 || n == -Errno.EAGAIN) {
                break;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read(eventfd)", (int) -n, "user events '" + name + "'");
            }
        }
        long count = pending.getAndSet(0);
        if (count > 0) {
            buffer.buffer().putLong(0, count);
            return 8;
        }
        return completing ? END_OF_STREAM : WOULD_BLOCK;
    }

    /**
     * The count taken; in semaphore mode one unit of it, the rest staying in the batch buffer
     * for the next request.
     */
    @Override
    public Long decode(ByteBuffer batch, SourceContext ctx) {
        if (!semaphore) {
            return batch.getLong();
        }
        int at = batch.position();
        long left = batch.getLong(at);
        if (left > 1) {
            batch.putLong(at, left - 1);
        } else {
            batch.position(at + 8);
        }
        return 1L;
    }

    /** The subscription ended and closed the eventfd: forget it, so that nothing here keeps its subscriber. */
    @Override
    public void closed() {
        context = null;
    }

    /** The only subscription ended before it opened the eventfd: close it, as its end would have. */
    @Override
    public void abandoned() {
        close();
    }
}
