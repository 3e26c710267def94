package io.aem.linux.loop;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;

/**
 * One fd in an {@link EventLoop}'s epoll set, with its interest mask and handler.
 *
 * <p>Loop thread only: every method must be called on the loop that created it, which is what
 * keeps {@code epoll_ctl} and {@code close} in one order and makes fd-number reuse harmless.
 * The epoll token carries a generation number, so an event that was already collected for a
 * registration cancelled earlier in the same batch is dropped instead of reaching the new owner
 * of the slot.
 */
public final class Registration {
    private final EventLoop loop;
    private final int slot;
    private final int generation;
    private final int fd;
    private final ReadyHandler handler;
    private int interest;
    private boolean active = true;

    Registration(EventLoop loop, int slot, int generation, int fd, int interest, ReadyHandler handler) {
        this.loop = loop;
        this.slot = slot;
        this.generation = generation;
        this.fd = fd;
        this.interest = interest;
        this.handler = handler;
    }

    /** The epoll data token: generation in the high half, slot in the low half. */
    long token() {
        return ((long) generation << 32) | (slot & 0xffffffffL);
    }

    int slot() {
        return slot;
    }

    int generation() {
        return generation;
    }

    ReadyHandler handler() {
        return handler;
    }

    /** The fd number registered. */
    public int fd() {
        return fd;
    }

    /** The current interest mask. */
    public int interest() {
        return interest;
    }

    /** Whether the registration is still in the epoll set. */
    public boolean isActive() {
        return active;
    }

    /**
     * Changes the interest with {@code EPOLL_CTL_MOD}; does nothing when the mask is unchanged.
     * Costs one system call.
     *
     * @param mask the new {@code EPOLL*} interest
     * @throws KernelException if the kernel refuses
     */
    public void interest(int mask) throws KernelException {
        loop.assertInLoop();
        if (!active) {
            throw new IllegalStateException("registration of fd " + fd + " was cancelled");
        }
        if (mask == interest) {
            return;
        }
        int r = loop.ctl(io.aem.linux.sys.Epoll.EPOLL_CTL_MOD, fd, mask, token());
        if (r < 0) {
            throw Errno.exception("epoll_ctl(EPOLL_CTL_MOD)", -r, null);
        }
        interest = mask;
    }

    /**
     * Removes the fd from the epoll set ({@code EPOLL_CTL_DEL}) and frees the slot. Call before
     * closing the fd. Idempotent.
     */
    public void cancel() {
        loop.assertInLoop();
        if (!active) {
            return;
        }
        active = false;
        loop.deregister(this);
    }
}
