package io.aem.linux.net;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.LoopTimeout;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Sockets;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One TCP connection on an {@link EventLoop}: one non-blocking socket fd, registered once, whose
 * epoll interest follows what is wanted of it: {@code EPOLLIN} while the receive subscriber has
 * demand, {@code EPOLLOUT} while the write queue holds bytes, and otherwise nothing but a single
 * error report ({@code EPOLLONESHOT}).
 *
 * <p><b>Receive and backpressure.</b> {@link #receive()} and {@link #receiveBorrowed()} are two
 * faces of the same byte stream; the connection accepts one receive subscriber in total. Without
 * demand the loop does not read: the kernel's receive buffer fills and TCP's window closes the
 * sender. End of stream from the peer is {@code onComplete}; a reset is {@code onError} with
 * {@link ConnectionResetException}. Cancelling the receive closes this connection (gracefully,
 * after the queued bytes) and nothing else.
 *
 * <p><b>Send.</b> {@link #write} (loop thread) hands bytes to the kernel at once and copies into a
 * bounded user-space queue only what the socket did not take; {@link #send} drives a publisher
 * through the same queue, requesting a bounded number of buffers. In flight per connection, at
 * most: the kernel's send buffer + the write queue limit (+ the last write, and
 * {@code send}'s 4 prefetched buffers) on the sending side, the
 * kernel's receive buffer + one read buffer on the receiving side.
 *
 * <p><b>Threading.</b> Every signal (receive, send completion, {@code onWritable} tasks) runs on
 * the loop thread. {@link #write} and {@link #onWritable} must be called there; the rest from any
 * thread.
 *
 * <p><b>Closing.</b> The fd is closed exactly once, on the loop thread: by {@link #close()} after
 * the queued bytes, at once by {@link #reset()}, by a cancelled receive, by an error (reset,
 * broken pipe), or by the loop's shutdown. A local close or reset completes the receive stream
 * and fails a send in progress with {@link ConnectionClosedException}; an error fails both with
 * it. End of stream from the peer does not close the fd (the output stays open: half-close);
 * close it when done.
 */
public final class TcpConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());
    private static final int PAUSED = Epoll.EPOLLONESHOT;
    private static final int MAX_READS_PER_TURN = 16;
    /** The smallest chunk of the write queue: small writes are gathered into chunks of this size. */
    private static final int MIN_CHUNK = 16 * 1024;

    private final EventLoop loop;
    private final OwnedFd fd;
    private final TcpOptions options;
    /** Loop thread: the reset of a graceful close whose queue does not drain. */
    private LoopTimeout closeDeadline;
    private final AtomicBoolean receiveTaken = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile InetSocketAddress localAddress;
    private final InetSocketAddress remoteAddress;

    // Loop thread only.
    private Registration registration;
    private CompletableFuture<TcpConnection> connecting;
    private ReceiveSubscription receiver;
    private boolean reading;
    private boolean closed;
    private Throwable failure;
    private boolean closing;
    private boolean outputShutRequested;
    private boolean outputShut;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long queued;
    private List<Runnable> writableTasks;
    private List<SendSubscriber> sends;

    private TcpConnection(EventLoop loop, OwnedFd fd, TcpOptions options, InetSocketAddress local, InetSocketAddress remote) {
        this.loop = loop;
        this.fd = fd;
        this.options = options;
        this.localAddress = local;
        this.remoteAddress = remote;
    }

    /**
     * Connects without blocking: {@code socket}, the options, {@code connect}, then waits on the
     * loop for writability and reads {@code SO_ERROR}. Any thread; costs one fd and one
     * registration.
     *
     * @param loop    the loop that will serve the connection
     * @param remote  a resolved IPv4 or IPv6 address
     * @param options the connection's options
     * @return completes on the loop thread with the connected connection (cancelling the future
     *         before then closes the connection when it completes), or exceptionally with
     *         {@link ConnectionRefusedException}, {@link UnreachableAddressException},
     *         {@link io.aem.linux.ResourceLimitException} (fd limit, naming {@code RLIMIT_NOFILE}),
     *         {@link EventLoopClosedException} or another {@link KernelException}
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress remote, TcpOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        if (remote.isUnresolved()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "unresolved address " + remote + "; resolve the host name first"));
        }
        CompletableFuture<TcpConnection> result = new CompletableFuture<>();
        try {
            loop.execute(() -> startConnect(loop, remote, options, result));
        } catch (EventLoopClosedException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private static void startConnect(EventLoop loop, InetSocketAddress remote, TcpOptions options,
                                     CompletableFuture<TcpConnection> result) {
        LoopScratch scratch = LoopScratch.current();
        int s = Sockets.tcpSocket(Sockets.family(remote));
        if (s < 0) {
            result.completeExceptionally(Errno.exception("socket", -s, null));
            return;
        }
        OwnedFd owned = new OwnedFd(s, "tcp socket to " + remote);
        try {
            apply(s, options, scratch);
            int len = Sockets.encode(remote, scratch.address);
            int r = Sockets.connect(s, scratch.address, len);
            if (r < 0 && r != -Sockets.EINPROGRESS) {
                throw NetErrors.exception("connect", -r, remote);
            }
            TcpConnection c = new TcpConnection(loop, owned, options, null, remote);
            c.connecting = result;
            c.registration = loop.register(owned, Epoll.EPOLLOUT, c.handler());
            if (r == 0) {
                c.connected();
            }
        } catch (Throwable t) {
            owned.close();
            result.completeExceptionally(t);
        }
    }

    /** Wraps an accepted socket; loop thread. */
    static TcpConnection accepted(EventLoop loop, OwnedFd fd, TcpOptions options, InetSocketAddress remote)
            throws KernelException {
        LoopScratch scratch = LoopScratch.current();
        apply(fd.get(), options, scratch);
        InetSocketAddress local = Sockets.localAddress(fd.get(), scratch.address);
        TcpConnection c = new TcpConnection(loop, fd, options, local, remote);
        c.registration = loop.register(fd, PAUSED, c.handler());
        return c;
    }

    /** Sets the options on a socket; throws the kernel's refusal. */
    static void apply(int fd, TcpOptions options, LoopScratch scratch) throws KernelException {
        setOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, options.noDelay() ? 1 : 0, "TCP_NODELAY", scratch);
        if (options.receiveBufferSize() > 0) {
            setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, options.receiveBufferSize(), "SO_RCVBUF", scratch);
        }
        if (options.sendBufferSize() > 0) {
            setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, options.sendBufferSize(), "SO_SNDBUF", scratch);
        }
    }

    private static void setOption(int fd, int level, int name, int value, String what, LoopScratch scratch)
            throws KernelException {
        int r = Sockets.setIntOption(fd, level, name, value, scratch.option);
        if (r < 0) {
            throw Errno.exception("setsockopt(" + what + ", " + value + ")", -r, null);
        }
    }

    private ReadyHandler handler() {
        return new ReadyHandler() {
            @Override
            public void onReady(int readyEvents) {
                ready(readyEvents);
            }

            @Override
            public void onLoopClosed(EventLoopClosedException cause) {
                if (connecting != null) {
                    CompletableFuture<TcpConnection> f = connecting;
                    connecting = null;
                    release();
                    f.completeExceptionally(cause);
                } else {
                    fail(cause);
                }
            }
        };
    }

    /** The loop that serves this connection and delivers its signals. */
    public EventLoop loop() {
        return loop;
    }

    /** The options the connection was made with. */
    public TcpOptions options() {
        return options;
    }

    /** The local address ({@code getsockname}, read when connected). Any thread. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The peer's address. Any thread. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * The received bytes, each chunk a fresh heap buffer the subscriber owns (up to 64 KiB, one
     * copy from the loop's read buffer). One subscriber per connection across this method and
     * {@link #receiveBorrowed()}; a second receives {@link IllegalStateException}.
     *
     * <p>Demand is {@code EPOLLIN} interest: without it nothing is read and TCP's window stops
     * the peer. Signals on the loop thread. End of stream: {@code onComplete}; reset:
     * {@link ConnectionResetException}; local close: {@code onComplete}. Cancel closes the
     * connection after its queued bytes.
     */
    public Flow.Publisher<ByteBuffer> receive() {
        return s -> subscribeReceive(s, false);
    }

    /**
     * The same stream as {@link #receive()} with no allocation per read: every {@code onNext}
     * gets the loop's one read buffer (the same object each time, position 0, limit the bytes
     * read), valid only until {@code onNext} returns. For parsers that consume at once.
     * Everything else as {@link #receive()}.
     */
    public Flow.Publisher<ByteBuffer> receiveBorrowed() {
        return s -> subscribeReceive(s, true);
    }

    private void subscribeReceive(Flow.Subscriber<? super ByteBuffer> subscriber, boolean borrowed) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!receiveTaken.compareAndSet(false, true)) {
            subscriber.onSubscribe(NoSubscription.INSTANCE);
            subscriber.onError(new IllegalStateException("the receive stream of " + this
                    + " already has a subscriber; a connection has one byte stream"));
            return;
        }
        ReceiveSubscription sub = new ReceiveSubscription(this, subscriber, borrowed);
        subscriber.onSubscribe(sub);
        try {
            loop.execute(() -> attach(sub));
        } catch (EventLoopClosedException e) {
            sub.error(e);
        }
    }

    /**
     * Writes a publisher's buffers under {@code EPOLLOUT} writability: requests
     * 4 buffers and one more per buffer written while the write
     * queue is under its limit, none while it is above. Buffers are read, never kept: the
     * publisher may reuse one after it was written. Any thread.
     *
     * @param data the bytes; its errors fail the stage (the connection stays open)
     * @return completes on the loop thread with the bytes written once all are handed to the
     *         kernel, or exceptionally with the connection's error or {@link ConnectionClosedException}
     */
    public CompletionStage<Long> send(Flow.Publisher<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        SendSubscriber s = new SendSubscriber(this);
        data.subscribe(s);
        return s.done;
    }

    /**
     * Loop thread only, the fast path: sends now what the socket takes and copies the rest into
     * the write queue, flushed on {@code EPOLLOUT}. Reads {@code data} to its limit. No copy when
     * the socket takes everything (a heap buffer is staged through the loop's native buffer).
     *
     * @param data the bytes
     * @return {@code true} while the queue is at or under its limit; {@code false} above it (stop
     *         producing until {@link #onWritable}), and also when the connection is closed or
     *         closing, its output shut or failed: then nothing was written and the cause reaches
     *         the receive stream and sends in progress
     * @throws IllegalStateException off the loop thread
     */
    public boolean write(ByteBuffer data) {
        assertInLoop();
        if (!acceptsWrites()) {
            return false;
        }
        if (queue.isEmpty()) {
            sendNow(data);
            if (closed) {
                return false;
            }
        }
        if (data.hasRemaining()) {
            int n = data.remaining();
            enqueue(data);
            queued += n;
            updateInterest();
        }
        return queued <= options.writeQueueLimit();
    }

    /**
     * Copies the rest of {@code data} into the queue: into the free tail of the last chunk when it
     * fits, so that many small writes share one chunk, else into a new direct chunk of at least
     * {@link #MIN_CHUNK} bytes.
     */
    private void enqueue(ByteBuffer data) {
        int n = data.remaining();
        ByteBuffer tail = queue.peekLast();
        if (tail != null && tail.capacity() - tail.limit() >= n) {
            int pos = tail.position();
            tail.position(tail.limit()).limit(tail.capacity());
            tail.put(data);
            tail.limit(tail.position()).position(pos);
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.max(n, MIN_CHUNK));
        chunk.put(data).flip();
        queue.add(chunk);
    }

    /**
     * Loop thread only: runs the task once when the write queue is empty: at once if it is,
     * otherwise after the {@code EPOLLOUT} flush that empties it. Dropped if the connection
     * closes first.
     *
     * @throws IllegalStateException off the loop thread
     */
    public void onWritable(Runnable task) {
        assertInLoop();
        Objects.requireNonNull(task, "task");
        if (closed) {
            return;
        }
        if (queue.isEmpty()) {
            task.run();
            return;
        }
        if (writableTasks == null) {
            writableTasks = new ArrayList<>(2);
        }
        writableTasks.add(task);
    }

    /**
     * Reads an {@code int} socket option with {@code getsockopt} (for example
     * {@code SOL_SOCKET}/{@code SO_RCVBUF}, which the kernel reports doubled). Loop thread only.
     *
     * @return the value, or {@code -errno}
     */
    int socketOption(int level, int name) {
        assertInLoop();
        if (closed) {
            return -Errno.EBADF;
        }
        return Sockets.intOption(fd.get(), level, name, LoopScratch.current().option);
    }

    /** Bytes in the user-space write queue. Loop thread only. */
    public long queuedBytes() {
        assertInLoop();
        return queued;
    }

    /**
     * Half-close: sends FIN after the queued bytes; the peer's receive ends, this side can still
     * receive. Later writes answer {@code false}; sends in progress stop at once and fail with
     * {@link ConnectionClosedException} (the buffers they already wrote are sent). Any thread;
     * idempotent.
     */
    public void shutdownOutput() {
        onLoop(() -> {
            if (closed || outputShutRequested) {
                return;
            }
            outputShutRequested = true;
            abortSends(new ConnectionClosedException(this + ": output shut"));
            if (queue.isEmpty()) {
                shutNow();
            }
        });
    }

    /**
     * Graceful close: after the queued bytes are handed to the kernel (which still delivers its
     * own buffer after {@code close}), the fd is closed; the receive stream completes. Sends in
     * progress stop at once and fail with {@link ConnectionClosedException}. If the queue has not
     * drained within {@link TcpOptions#closeTimeout()} (a peer that does not read), the connection
     * is reset as by {@link #reset()}; {@code reset()} gives up at once. Any thread; idempotent.
     */
    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        onLoop(this::closeGracefully);
    }

    /**
     * Aborts: {@code SO_LINGER} 0 and close, so the peer gets RST and queued bytes are dropped.
     * Any thread; idempotent, and does nothing after the fd is closed.
     */
    public void reset() {
        closeRequested.set(true);
        onLoop(() -> {
            if (closed) {
                return;
            }
            Sockets.lingerZero(fd.get(), LoopScratch.current().option);
            closeNow();
        });
    }

    @Override
    public String toString() {
        return "tcp connection " + localAddress + " -> " + remoteAddress;
    }

    // ---- loop thread ----

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (EventLoopClosedException e) {
            // The loop's shutdown closes every connection itself.
        }
    }

    private void assertInLoop() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("must be called on the thread of event loop '" + loop.name()
                    + "', was called on '" + Thread.currentThread().getName() + "'; hand the work over with loop().execute()");
        }
    }

    private void attach(ReceiveSubscription sub) {
        if (closed) {
            if (failure != null) {
                sub.error(failure);
            } else {
                sub.complete();
            }
            return;
        }
        receiver = sub;
        if (sub.cancelled()) {
            receiveCancelled(sub);
            return;
        }
        if (sub.hasDemand()) {
            readReady();
        }
        updateInterest();
    }

    void demandArrived(ReceiveSubscription sub) {
        if (loop.inEventLoop() && reading && receiver == sub) {
            return;
        }
        onLoop(() -> {
            if (receiver == sub && !closed) {
                readReady();
                updateInterest();
            }
        });
    }

    void receiveCancelled(ReceiveSubscription sub) {
        onLoop(() -> {
            if (receiver == sub) {
                receiver = null;
                close();
            }
        });
    }

    void receiveFailed(ReceiveSubscription sub, Throwable error) {
        onLoop(() -> {
            if (receiver == sub) {
                receiver = null;
                sub.error(error);
                close();
            }
        });
    }

    /** Whether {@link #write} would take bytes: neither closed, closing, failed nor shut for output. */
    boolean acceptsWrites() {
        return !closed && !closing && !outputShutRequested && connecting == null;
    }

    /** Why writes are refused: the failure, or a closed-connection error naming what was done. */
    Throwable refusal() {
        if (failure != null) {
            return failure;
        }
        return new ConnectionClosedException(this + (outputShutRequested && !closed && !closing ? ": output shut" : ""));
    }

    boolean attachSend(SendSubscriber s) {
        if (!acceptsWrites()) {
            s.abort(refusal());
            return false;
        }
        if (sends == null) {
            sends = new ArrayList<>(2);
        }
        sends.add(s);
        return true;
    }

    void detachSend(SendSubscriber s) {
        if (sends != null) {
            sends.remove(s);
        }
    }

    private void ready(int events) {
        if (closed) {
            return;
        }
        if (connecting != null) {
            finishConnect();
            return;
        }
        if ((events & Epoll.EPOLLOUT) != 0 || ((events & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0 && !queue.isEmpty())) {
            flush();
        }
        if (!closed && receiver != null) {
            readReady();
        }
        updateInterest();
    }

    private void finishConnect() {
        int err = Sockets.intOption(fd.get(), Sockets.SOL_SOCKET, Sockets.SO_ERROR, LoopScratch.current().option);
        if (err == 0) {
            connected();
            return;
        }
        CompletableFuture<TcpConnection> f = connecting;
        connecting = null;
        release();
        f.completeExceptionally(NetErrors.exception("connect", Math.abs(err), remoteAddress));
    }

    private void connected() {
        CompletableFuture<TcpConnection> f = connecting;
        connecting = null;
        localAddress = Sockets.localAddress(fd.get(), LoopScratch.current().address);
        updateInterest();
        if (!f.complete(this)) {
            closeNow(); // the caller cancelled the future: nobody owns this connection
        }
    }

    /** Reads while the receiver has demand, up to {@link #MAX_READS_PER_TURN} reads. */
    private void readReady() {
        ReceiveSubscription sub = receiver;
        if (sub == null || !sub.active() || reading) {
            return;
        }
        LoopScratch scratch = LoopScratch.current();
        ByteBuffer view = scratch.readView;
        reading = true;
        try {
            for (int reads = 0; reads < MAX_READS_PER_TURN && !closed && sub.active() && sub.hasDemand(); reads++) {
                long n = Sockets.recv(fd.get(), scratch.readMemory, LoopScratch.READ_SIZE);
                if (n > 0) {
                    view.clear();
                    view.limit((int) n);
                    ByteBuffer chunk = view;
                    if (!sub.borrowed()) {
                        chunk = ByteBuffer.allocate((int) n);
                        chunk.put(view).flip();
                    }
                    if (!sub.next(chunk)) {
                        receiver = null;
                        close();
                        return;
                    }
                } else if (n == 0) {
                    receiver = null;
                    sub.complete();
                    return;
                } else if (n == -Errno.EINTR) {
                    reads--;
                } else if (n == -Errno.EAGAIN) {
                    return;
                } else {
                    fail(NetErrors.exception("recv", (int) -n, remoteAddress));
                    return;
                }
            }
        } finally {
            reading = false;
        }
    }

    /** Writes from {@code src} until it is empty, the socket is full, or an error (which fails the connection). */
    private void sendNow(ByteBuffer src) {
        LoopScratch scratch = null;
        while (src.hasRemaining()) {
            Pointer p;
            int len;
            if (src.isDirect()) {
                len = src.remaining();
                p = Native.getDirectBufferPointer(src).share(src.position());
            } else {
                if (scratch == null) {
                    scratch = LoopScratch.current();
                }
                len = Math.min(src.remaining(), LoopScratch.WRITE_SIZE);
                ByteBuffer stage = scratch.writeView;
                stage.clear();
                int oldLimit = src.limit();
                int pos = src.position();
                src.limit(pos + len);
                stage.put(src);
                src.limit(oldLimit);
                src.position(pos);
                p = scratch.writeMemory;
            }
            long n = Sockets.send(fd.get(), p, len);
            if (n > 0) {
                src.position(src.position() + (int) n);
                if (n < len) {
                    return;
                }
            } else if (n == -Errno.EAGAIN) {
                return;
            } else if (n != -Errno.EINTR) {
                fail(NetErrors.exception("send", (int) -n, remoteAddress));
                return;
            }
        }
    }

    /** Sends the queue; when it empties, runs the writable tasks, then a pending half-close or close. */
    private void flush() {
        while (!queue.isEmpty() && !closed) {
            ByteBuffer head = queue.peek();
            int before = head.remaining();
            sendNow(head);
            queued -= before - head.remaining();
            if (head.hasRemaining()) {
                return;
            }
            queue.poll();
        }
        if (closed) {
            return;
        }
        drained();
    }

    private void drained() {
        if (writableTasks != null && !writableTasks.isEmpty()) {
            List<Runnable> tasks = writableTasks;
            writableTasks = null;
            for (Runnable t : tasks) {
                try {
                    t.run();
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "onWritable task of " + this + " threw", e);
                }
                if (closed) {
                    return;
                }
            }
        }
        if (!queue.isEmpty()) {
            return;
        }
        if (outputShutRequested && !outputShut) {
            shutNow();
        }
        if (closing) {
            closeNow();
        }
    }

    private void shutNow() {
        outputShut = true;
        int r = Sockets.shutdown(fd.get(), Sockets.SHUT_WR);
        if (r < 0 && r != -Errno.ENOTCONN) {
            fail(NetErrors.exception("shutdown", -r, remoteAddress));
        }
    }

    private void closeGracefully() {
        if (closed) {
            return;
        }
        closing = true;
        abortSends(new ConnectionClosedException(this + ": closing"));
        if (queue.isEmpty()) {
            closeNow();
        } else {
            updateInterest();
            closeDeadline = loop.schedule(this::closeTimedOut, options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The graceful close's queue did not drain in time (a peer that does not read): reset. */
    private void closeTimedOut() {
        closeDeadline = null;
        if (closed) {
            return;
        }
        LOG.log(Level.DEBUG, () -> this + ": " + queued + " queued bytes not taken within the close timeout "
                + options.closeTimeout() + "; resetting");
        Sockets.lingerZero(fd.get(), LoopScratch.current().option);
        closeNow();
    }

    private void updateInterest() {
        if (closed || registration == null) {
            return;
        }
        int want = 0;
        if (connecting != null || !queue.isEmpty()) {
            want |= Epoll.EPOLLOUT;
        }
        ReceiveSubscription sub = receiver;
        if (sub != null && sub.active() && sub.hasDemand()) {
            want |= Epoll.EPOLLIN;
        }
        if (want == 0) {
            want = PAUSED;
        }
        try {
            registration.interest(want);
        } catch (KernelException e) {
            fail(e);
        }
    }

    /** Local close: the receive stream completes, sends in progress fail. */
    private void closeNow() {
        if (closed) {
            return;
        }
        ReceiveSubscription sub = receiver;
        receiver = null;
        release();
        ConnectionClosedException cause = new ConnectionClosedException(toString());
        abortSends(cause);
        if (sub != null) {
            sub.complete();
        }
    }

    /** An error: the receive stream and sends in progress fail with it. */
    private void fail(Throwable error) {
        if (closed) {
            return;
        }
        failure = error;
        ReceiveSubscription sub = receiver;
        receiver = null;
        release();
        abortSends(error);
        if (sub != null) {
            sub.error(error);
        }
    }

    private void abortSends(Throwable cause) {
        if (sends != null) {
            List<SendSubscriber> all = new ArrayList<>(sends);
            sends = null;
            for (SendSubscriber s : all) {
                s.abort(cause);
            }
        }
    }

    /** Deregisters and closes the fd, once. */
    private void release() {
        if (closed) {
            return;
        }
        closed = true;
        closeRequested.set(true);
        queue.clear();
        queued = 0;
        writableTasks = null;
        if (closeDeadline != null) {
            closeDeadline.cancel();
            closeDeadline = null;
        }
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        fd.close();
    }
}
