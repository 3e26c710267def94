package io.aem.linux;

import io.aem.linux.sys.Io;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one owner of a file descriptor: it closes the descriptor exactly once and refuses every
 * use after close, because the kernel hands the same number to the next file opened.
 *
 * <p>Two ways to use the number:
 * <ul>
 *   <li>{@link #get()} on the thread that owns the descriptor and is the only one to close it
 *       (the event loop): a volatile read, no atomic operation.</li>
 *   <li>{@link #acquire()} / {@link #release()} from any thread: the close that races with a use
 *       is deferred until the use ends, so a write never reaches a reused number.</li>
 * </ul>
 * {@link #close()} may be called from any thread any number of times; the first call wins.
 * Costs: one compare-and-set per {@code acquire}/{@code release} pair and per close.
 */
public final class OwnedFd implements AutoCloseable {
    private static final VarHandle STATE;
    /** Bit set once close was requested; the lower bits count uses in flight. */
    private static final int CLOSED = 1 << 30;
    private static final int CLOSE_DONE = 1 << 29;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OwnedFd.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final String kind;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /**
     * Takes ownership of an open descriptor.
     *
     * @param fd   the descriptor, {@code >= 0}
     * @param kind what it is, for messages (for example {@code "timerfd"})
     */
    public OwnedFd(int fd, String kind) {
        if (fd < 0) {
            throw new IllegalArgumentException(kind + ": not a file descriptor: " + fd);
        }
        this.fd = fd;
        this.kind = kind;
    }

    /**
     * The descriptor number, for the owning thread.
     *
     * @return the number
     * @throws ClosedFdException if closed
     */
    public int get() {
        if (((int) STATE.getVolatile(this) & CLOSED) != 0) {
            throw new ClosedFdException(toString());
        }
        return fd;
    }

    /**
     * Starts a use from any thread; must be paired with {@link #release()} in a finally block.
     *
     * @return the number, valid until {@code release}
     * @throws ClosedFdException if closed
     */
    public int acquire() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                throw new ClosedFdException(toString());
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return fd;
            }
        }
    }

    /** Ends a use started by {@link #acquire()}; performs a close requested meanwhile. */
    public void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == CLOSED) {
            finishClose();
        }
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return ((int) STATE.getVolatile(this) & CLOSED) == 0;
    }

    /**
     * Closes the descriptor once; later calls do nothing. If a use is in flight on another
     * thread the close happens when that use ends. Never throws: on Linux {@code close(2)}
     * releases the number even when it reports an error.
     */
    @Override
    public void close() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                if (s == 0) {
                    finishClose();
                }
                return;
            }
        }
    }

    private void finishClose() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSE_DONE);
        if ((s & CLOSE_DONE) == 0) {
            Io.close(fd);
        }
    }

    @Override
    public String toString() {
        return kind + " fd " + fd;
    }
}
