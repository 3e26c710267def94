package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Thin wrappers over {@code epoll(7)} that return {@code -errno} instead of throwing.
 *
 * <p>Readiness is level-triggered: an fd with {@link #EPOLLIN} interest and unread data is
 * reported by every {@code epoll_wait} until it is drained or its interest removed, so a reader
 * may stop after one batch and be called again. The kernel always adds {@link #EPOLLERR} and
 * {@link #EPOLLHUP} to the interest; an fd paused with {@link #EPOLLONESHOT} and no other bit
 * reports a hang-up at most once and then stays silent until re-armed with
 * {@link #EPOLL_CTL_MOD}, which is how the event loop pauses a stream without spinning.
 * Spurious wake-ups are possible (an event for data another reader took); readers must accept
 * {@code EAGAIN}.
 */
public final class Epoll {
    /** {@code EPOLL_CLOEXEC}. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** Register an fd. */
    public static final int EPOLL_CTL_ADD = 1;
    /** Remove an fd. */
    public static final int EPOLL_CTL_DEL = 2;
    /** Change an fd's interest. */
    public static final int EPOLL_CTL_MOD = 3;
    /** Readable. */
    public static final int EPOLLIN = 0x001;
    /** Urgent data, or a PSI trigger fired. */
    public static final int EPOLLPRI = 0x002;
    /** Writable. */
    public static final int EPOLLOUT = 0x004;
    /** Error condition; always reported. */
    public static final int EPOLLERR = 0x008;
    /** Hang-up; always reported. */
    public static final int EPOLLHUP = 0x010;
    /** Peer shut down its writing half. */
    public static final int EPOLLRDHUP = 0x2000;
    /** Disable the fd after one event until re-armed with {@link #EPOLL_CTL_MOD}. */
    public static final int EPOLLONESHOT = 1 << 30;
    /** Edge-triggered. Not used by the loop, which is level-triggered. */
    public static final int EPOLLET = 1 << 31;

    private Epoll() {
    }

    /** {@code epoll_create1(EPOLL_CLOEXEC)}: the new fd, or {@code -errno}. */
    public static int create() {
        int r = LibC.epoll_create1(EPOLL_CLOEXEC);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code epoll_ctl}.
     *
     * @param epfd    the epoll instance
     * @param op      {@link #EPOLL_CTL_ADD}, {@link #EPOLL_CTL_MOD} or {@link #EPOLL_CTL_DEL}
     * @param fd      the target fd
     * @param events  the interest mask
     * @param data    the 64-bit token returned with each event for this fd
     * @param scratch at least {@link EpollEventArray#EVENT_SIZE} bytes, owned by the calling thread
     * @return {@code 0}, or {@code -errno}
     */
    public static int ctl(int epfd, int op, int fd, int events, long data, Pointer scratch) {
        scratch.setInt(0, events);
        scratch.setLong(EpollEventArray.DATA_OFFSET, data);
        int r = LibC.epoll_ctl(epfd, op, fd, scratch);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code epoll_wait} into an event array.
     *
     * @param epfd      the epoll instance
     * @param events    the array the kernel fills
     * @param timeoutMs {@code -1} to wait indefinitely, {@code 0} to poll
     * @return the number of ready events, or {@code -errno} ({@code -EINTR} after a signal)
     */
    public static int wait(int epfd, EpollEventArray events, int timeoutMs) {
        int r = LibC.epoll_wait(epfd, events.pointer(), events.capacity(), timeoutMs);
        return r >= 0 ? r : -Native.getLastError();
    }
}
