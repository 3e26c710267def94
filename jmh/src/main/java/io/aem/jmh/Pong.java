package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.LibC;

/**
 * The answer leg of a ping-pong: an eventfd the receiver writes once it has the event and the
 * sender waits on with {@code epoll_wait} (1 s bound) and {@code read}, through {@link LibC}
 * directly. The C reference ({@code eventfd_pingpong.c}) answers the same way, so the return leg
 * costs the same in every variant and only the forward leg differs.
 *
 * <p>{@link #answer()} is for the receiving thread only, {@link #await()} for the sending thread
 * only: each side owns its scratch memory.
 */
final class Pong implements AutoCloseable {
    private final int fd;
    private final int epfd;
    private final EpollEventArray ready = new EpollEventArray(1);
    private final Memory readBuffer = new Memory(8);
    private final Memory one = new Memory(8);

    Pong() {
        fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("eventfd: errno " + -fd);
        }
        epfd = Epoll.create();
        if (epfd < 0) {
            LibC.close(fd);
            throw new IllegalStateException("epoll_create1: errno " + -epfd);
        }
        try (Memory scratch = new Memory(16)) {
            int r = Epoll.ctl(epfd, Epoll.EPOLL_CTL_ADD, fd, Epoll.EPOLLIN, 0, scratch);
            if (r < 0) {
                close();
                throw new IllegalStateException("epoll_ctl: errno " + -r);
            }
        }
        one.setLong(0, 1);
    }

    /** Receiver: tells the sender the event arrived. One {@code write(2)}. */
    void answer() {
        LibC.write(fd, one, 8);
    }

    /**
     * Sender: waits for the answer, at most one second.
     *
     * @throws IllegalStateException when no answer came within a second (the event was lost or
     *                               the receiver died), so that a broken run fails instead of hanging
     */
    void await() {
        for (;;) {
            int n = LibC.epoll_wait(epfd, ready.pointer(), 1, 1000);
            if (n > 0) {
                break;
            }
            if (n == 0) {
                throw new IllegalStateException("no answer within 1 s: the event did not reach the receiver");
            }
            int errno = Native.getLastError();
            if (errno != 4) { // EINTR
                throw new IllegalStateException("epoll_wait: errno " + errno);
            }
        }
        if (LibC.read(fd, readBuffer, 8) != 8) {
            throw new IllegalStateException("read(answer eventfd): errno " + Native.getLastError());
        }
    }

    @Override
    public void close() {
        LibC.close(epfd);
        LibC.close(fd);
        ready.close();
        readBuffer.close();
        one.close();
    }
}
