package io.aem.linux.loop;

/**
 * What the event loop calls for a registered fd. Both methods run on the loop thread only, so
 * an implementation needs no synchronisation for state touched only there.
 */
public interface ReadyHandler {
    /**
     * The fd is ready. Level-triggered: if the handler leaves data unread while its interest is
     * still set, it is called again after the next {@code epoll_wait}. Spurious calls are
     * possible; a read answering {@code EAGAIN} must simply return.
     *
     * @param readyEvents the {@code EPOLL*} bits the kernel reported
     */
    void onReady(int readyEvents);

    /**
     * The loop is shutting down with this registration still live: close the fd and end the
     * stream with {@code cause}. Called once, after which the loop closes its own fds.
     *
     * @param cause the signal to pass on to the subscriber
     */
    void onLoopClosed(EventLoopClosedException cause);
}
