package io.aem.linux.event;

import com.sun.jna.Memory;
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
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * User events on an {@code eventfd(2)}: any thread {@link #signal(long) signals}, one subscriber
 * receives the counts (AEM's core user events).
 *
 * <p><b>Counting, not queueing.</b> Signals add to a 64-bit counter in the kernel. Each event the
 * subscriber receives is the sum of the signals since the previous one, so nothing is lost while
 * the subscriber has no demand: the counter keeps adding up and arrives as one summed event when
 * demand returns. In {@linkplain #createSemaphore semaphore mode} ({@code EFD_SEMAPHORE}) each
 * unit is delivered as its own event of {@code 1} instead.
 *
 * <p><b>One subscriber.</b> The eventfd is created with this object, so signals made before
 * anyone subscribes are kept. It serves a single subscription; when that subscription ends
 * (cancel, {@link #complete()}, error, loop shutdown, or a loop already closed at subscription;
 * a cancel that comes before the loop served the subscription too) the eventfd is closed and
 * further signals are refused. A second subscriber receives {@link IllegalStateException}.
 * {@link #close()} releases an eventfd that was never subscribed.
 *
 * <p>Costs: one {@code write(2)} per signal (about 1.5 µs here), from any thread, lock-free.
 */
public final class UserEvents implements EventSource<Long>, AutoCloseable {
    /** Per-thread 8-byte write buffer: native memory and its Java view, so storing the value costs no JNI call. */
    private static final ThreadLocal<SignalBuffer> SCRATCH = ThreadLocal.withInitial(SignalBuffer::new);

    private final String name;
    private final boolean semaphore;
    private final OwnedFd fd;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile boolean completing;
    private volatile SourceContext context;

    private UserEvents(String name, boolean semaphore, OwnedFd fd) {
        this.name = name;
        this.semaphore = semaphore;
        this.fd = fd;
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
        int flags = EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC | (semaphore ? EventFd.EFD_SEMAPHORE : 0);
        int r = EventFd.create(flags);
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
     * Adds {@code n} to the counter and wakes the loop if the subscriber is waiting. Any thread.
     *
     * @param n at least 1
     * @return {@code true} if added; {@code false} if the counter would pass its maximum
     *         ({@code 2^64 - 2}) because the subscriber has not read for that long: nothing was added
     * @throws IllegalArgumentException        if {@code n < 1}
     * @throws io.aem.linux.ClosedFdException when the source is closed
     */
    public boolean signal(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("user events '" + name + "': signal(n) needs n >= 1, was " + n);
        }
        SignalBuffer value = SCRATCH.get();
        value.view.putLong(0, n);
        int f = fd.acquire();
        try {
            for (;;) {
                long r = Io.write(f, value.memory, 8);
                if (r == 8) {
                    return true;
                }
                if (r == -Errno.EAGAIN) {
                    return false;
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

    /** In counting mode one read takes the whole counter; in semaphore mode it takes one unit. */
    @Override
    public boolean oneReadEmptiesFd() {
        return !semaphore;
    }

    @Override
    public int read(OwnedFd owned, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Io.read(owned.get(), buffer.address(), 8);
            if (n == 8) {
                return 8;
            }
            if (n == -Errno.EAGAIN) {
                return completing ? END_OF_STREAM : WOULD_BLOCK;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read(eventfd)", (int) -n, "user events '" + name + "'");
            }
        }
    }

    @Override
    public Long decode(ByteBuffer batch, SourceContext ctx) {
        return batch.getLong();
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

    private static final class SignalBuffer {
        final Memory memory = new Memory(8);
        final ByteBuffer view = memory.getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
    }
}
