package io.aem.linux.net;

import com.sun.jna.Memory;
import io.aem.linux.ClosedFdException;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.source.Demand;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Sockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening TCP socket on an {@link EventLoop}, whose accepted connections are a publisher
 * driven by demand: the loop calls {@code accept4} only while the subscriber has requested
 * connections; without demand the listener's interest is off and the kernel's backlog holds
 * connections it completed (clients see their connect succeed), then refuses or drops SYNs.
 *
 * <p><b>Threading.</b> {@link #open} binds on the calling thread; accepting and every signal
 * happen on the loop thread; {@link #close()} from any thread.
 *
 * <p><b>Errors.</b> {@link AddressInUseException} naming the address, {@link io.aem.linux.ResourceLimitException}
 * naming {@code RLIMIT_NOFILE} and its value when the fd limit is reached (at {@code open}, or
 * for {@code accept4}: then the stream fails and the listener closes, since the pending
 * connection would keep the socket ready).
 *
 * <p><b>Costs.</b> One fd, and one registration while a subscriber is attached; per connection
 * one {@code accept4}, the option {@code setsockopt}s and one {@code getsockname}.
 */
public final class TcpListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());
    private static final int PAUSED = Epoll.EPOLLONESHOT;
    private static final int ECONNABORTED = 103;

    private final EventLoop loop;
    private final OwnedFd fd;
    private final TcpListenOptions options;
    private final InetSocketAddress localAddress;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();

    // Loop thread only.
    private Registration registration;
    private Subscription subscription;
    private boolean closed;

    private TcpListener(EventLoop loop, OwnedFd fd, TcpListenOptions options, InetSocketAddress localAddress) {
        this.loop = loop;
        this.fd = fd;
        this.options = options;
        this.localAddress = localAddress;
    }

    /**
     * Makes the socket, sets {@code SO_REUSEADDR}/{@code SO_REUSEPORT} (and {@code SO_RCVBUF}
     * when the connection options ask for one), binds and listens, now, on the calling thread.
     *
     * @param loop    the loop that will accept and serve the connections
     * @param options the address and options
     * @return the listening socket; close it when done
     * @throws AddressInUseException                  if another socket holds the address
     * @throws io.aem.linux.ResourceLimitException    at the fd limit (names {@code RLIMIT_NOFILE})
     * @throws KernelException                        for another refusal
     * @throws IOException                            never otherwise
     */
    public static TcpListener open(EventLoop loop, TcpListenOptions options) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        InetSocketAddress address = options.address();
        int s = Sockets.tcpSocket(Sockets.family(address));
        if (s < 0) {
            throw Errno.exception("socket", -s, null);
        }
        OwnedFd owned = new OwnedFd(s, "tcp listener on " + address);
        try (Memory scratch = Sockets.addressScratch()) {
            setOption(s, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, options.reuseAddress(), "SO_REUSEADDR", scratch);
            setOption(s, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, options.reusePort(), "SO_REUSEPORT", scratch);
            int rcvbuf = options.connectionOptions().receiveBufferSize();
            if (rcvbuf > 0) {
                int r = Sockets.setIntOption(s, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, rcvbuf, scratch);
                if (r < 0) {
                    throw Errno.exception("setsockopt(SO_RCVBUF, " + rcvbuf + ")", -r, null);
                }
            }
            int len = Sockets.encode(address, scratch);
            int r = Sockets.bind(s, scratch, len);
            if (r < 0) {
                throw NetErrors.exception("bind", -r, address);
            }
            r = Sockets.listen(s, options.backlog());
            if (r < 0) {
                throw NetErrors.exception("listen", -r, address);
            }
            InetSocketAddress bound = Sockets.localAddress(s, scratch);
            return new TcpListener(loop, owned, options, bound != null ? bound : address);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static void setOption(int fd, int level, int name, boolean on, String what, Memory scratch)
            throws KernelException {
        int r = Sockets.setIntOption(fd, level, name, on ? 1 : 0, scratch);
        if (r < 0) {
            throw Errno.exception("setsockopt(" + what + ")", -r, null);
        }
    }

    /** The bound address, with the port the kernel chose when 0 was asked. Any thread. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The loop that accepts and serves the connections. */
    public EventLoop loop() {
        return loop;
    }

    /** The options it was opened with. */
    public TcpListenOptions options() {
        return options;
    }

    /**
     * The accepted connections, one subscriber: a second receives {@link IllegalStateException}.
     * Each {@code request(n)} allows {@code n} more {@code accept4} calls; signals on the loop
     * thread. The subscriber owns each connection it receives and must close it. The stream
     * completes when the listener is closed, fails with {@link EventLoopClosedException} when the
     * loop closes and with {@link io.aem.linux.ResourceLimitException} at the fd limit. Cancel
     * closes the listener (connections already accepted stay open).
     */
    public Flow.Publisher<TcpConnection> connections() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            if (!subscribed.compareAndSet(false, true)) {
                subscriber.onSubscribe(NoSubscription.INSTANCE);
                subscriber.onError(new IllegalStateException("the connections of " + this
                        + " already have a subscriber; subscribe once and share the connections"));
                return;
            }
            Subscription sub = new Subscription(subscriber);
            subscriber.onSubscribe(sub);
            try {
                loop.execute(() -> attach(sub));
            } catch (EventLoopClosedException e) {
                sub.error(e);
            }
        };
    }

    /**
     * Stops listening now and closes the socket on the loop: when this returns the kernel
     * refuses new connections ({@code shutdown} of a listening socket ends its listen state, from
     * any thread); then the loop deregisters and closes the fd and the connections stream
     * completes. Accepted connections stay open; connections still in the backlog are reset by
     * the kernel. Any thread; idempotent; does not block.
     */
    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            int n = fd.acquire();
            try {
                Sockets.shutdown(n, Sockets.SHUT_RDWR);
            } finally {
                fd.release();
            }
        } catch (ClosedFdException e) {
            return;
        }
        try {
            loop.execute(this::closeNow);
        } catch (EventLoopClosedException e) {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "tcp listener on " + localAddress;
    }

    // ---- loop thread ----

    private void attach(Subscription sub) {
        if (closed) {
            sub.complete();
            return;
        }
        subscription = sub;
        try {
            registration = loop.register(fd, sub.requested.get() > 0 ? Epoll.EPOLLIN : PAUSED, new ReadyHandler() {
                @Override
                public void onReady(int readyEvents) {
                    acceptReady();
                }

                @Override
                public void onLoopClosed(EventLoopClosedException cause) {
                    fail(cause);
                }
            });
        } catch (KernelException e) {
            fail(e);
            return;
        }
        acceptReady();
    }

    private void acceptReady() {
        Subscription sub = subscription;
        if (closed || sub == null) {
            return;
        }
        if (closeRequested.get()) {
            closeNow(); // shut by close(): accept4 would answer EINVAL
            return;
        }
        LoopScratch scratch = LoopScratch.current();
        int accepted = 0;
        while (!closed && !sub.cancelled && sub.requested.get() > 0 && accepted < 64) {
            int c = Sockets.accept(fd.get(), scratch.address, scratch.address.share(Sockets.SOCKADDR_SIZE));
            if (c < 0) {
                int errno = -c;
                if (errno == Errno.EAGAIN) {
                    break;
                }
                if (errno == Errno.EINTR || errno == ECONNABORTED) {
                    continue;
                }
                fail(Errno.exception("accept4 on " + localAddress, errno, null));
                return;
            }
            accepted++;
            InetSocketAddress remote = Sockets.decode(scratch.address);
            OwnedFd owned = new OwnedFd(c, "tcp connection from " + remote);
            TcpConnection connection;
            try {
                connection = TcpConnection.accepted(loop, owned, options.connectionOptions(), remote);
            } catch (KernelException | RuntimeException e) {
                owned.close();
                LOG.log(Level.WARNING, "connection from " + remote + " to " + localAddress + " dropped", e);
                continue;
            }
            if (!sub.next(connection)) {
                connection.close();
                closeNow();
                return;
            }
        }
        updateInterest();
    }

    private void updateInterest() {
        Subscription sub = subscription;
        if (closed || registration == null || sub == null) {
            return;
        }
        try {
            registration.interest(!sub.cancelled && sub.requested.get() > 0 ? Epoll.EPOLLIN : PAUSED);
        } catch (KernelException e) {
            fail(e);
        }
    }

    private void release() {
        if (closed) {
            return;
        }
        closed = true;
        closeRequested.set(true);
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        fd.close();
    }

    private void closeNow() {
        Subscription sub = subscription;
        subscription = null;
        release();
        if (sub != null) {
            sub.complete();
        }
    }

    private void fail(Throwable error) {
        Subscription sub = subscription;
        subscription = null;
        release();
        if (sub != null) {
            sub.error(error);
        }
    }

    /** The one subscription to the connections. */
    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super TcpConnection> subscriber;
        final AtomicLong requested = new AtomicLong();
        volatile boolean cancelled;
        private boolean done;

        Subscription(Flow.Subscriber<? super TcpConnection> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                onLoop(() -> {
                    if (subscription == this) {
                        fail(new IllegalArgumentException("rule 3.9: request(n) needs n > 0, was " + n
                                + "; " + TcpListener.this + " is closed"));
                    }
                });
                return;
            }
            if (Demand.add(requested, n) == 0) {
                onLoop(() -> {
                    if (subscription == this) {
                        acceptReady();
                    }
                });
            }
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            onLoop(() -> {
                if (subscription == this) {
                    subscription = null;
                    done = true;
                    release();
                }
            });
        }

        boolean next(TcpConnection connection) {
            if (requested.get() != Long.MAX_VALUE) {
                requested.decrementAndGet();
            }
            try {
                subscriber.onNext(connection);
                return true;
            } catch (Throwable t) {
                cancelled = true;
                error(t);
                return false;
            }
        }

        void complete() {
            if (!done) {
                done = true;
                if (!cancelled) {
                    subscriber.onComplete();
                }
            }
        }

        void error(Throwable t) {
            if (!done) {
                done = true;
                subscriber.onError(t);
            }
        }

        private void onLoop(Runnable task) {
            try {
                loop.execute(task);
            } catch (EventLoopClosedException e) {
                // The loop's shutdown ends the stream.
            }
        }
    }
}
