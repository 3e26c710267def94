package io.aem.linux.proc;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Pipes;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a {@link Flow.Publisher} of byte buffers into the write end of a pipe, on the event
 * loop: a child's stdin fed from a stream, with no thread of its own.
 *
 * <p><b>Demand follows the pipe.</b> The sink requests {@value #PREFETCH} buffers, then one more
 * each time a buffer has been written completely, so it never holds more than {@value #PREFETCH}
 * buffers (and never requests an unbounded amount). When the pipe is full ({@code EAGAIN}) the
 * sink waits for {@code EPOLLOUT} and writes the rest then, partial writes included: a reader that
 * stops reading stops the upstream. No busy loop, no blocking call.
 *
 * <p><b>Threading.</b> {@link #feed} subscribes to the publisher on the calling thread. Buffers may
 * arrive on any thread; they are queued (lock-free) and written on the loop thread, which also
 * requests more. {@link #done()} completes on the loop thread (or on the calling thread when the
 * loop was already closed). The buffers are read from their position to their limit and their
 * position is advanced; the publisher must not change them until then.
 *
 * <p><b>Ending.</b> The write end is closed exactly once in every case, after which the reader
 * sees end of file:
 * <ul>
 *   <li>upstream {@code onComplete}: once all buffers are written; {@link #done()} completes with
 *       the bytes written;</li>
 *   <li>upstream {@code onError}: at once, dropping unwritten buffers; {@code done()} fails with
 *       that error;</li>
 *   <li>the reader closed its end ({@code EPIPE} on a write, or {@code EPOLLERR} while waiting for
 *       data): upstream cancelled; {@code done()} fails with {@link BrokenPipeException};</li>
 *   <li>another write error: upstream cancelled; {@code done()} fails with the typed
 *       {@link io.aem.linux.KernelException};</li>
 *   <li>{@link #cancel()}: upstream cancelled; {@code done()} fails with {@link CancellationException};</li>
 *   <li>the loop closes: upstream cancelled; {@code done()} fails with {@link EventLoopClosedException};</li>
 *   <li>a publisher that breaks the Reactive Streams rules (a {@code null} element, more
 *       elements than requested): upstream cancelled; {@code done()} fails with
 *       {@link NullPointerException} or {@link IllegalStateException}.</li>
 * </ul>
 *
 * <p>Writing to a pipe without reader raises {@code SIGPIPE}; HotSpot handles that signal without
 * ending the process, so the write reports {@code EPIPE}.
 *
 * <p>Costs: one task hand-off per buffer, one {@code write(2)} per 64 KiB (heap buffers are copied
 * through a 64 KiB native staging buffer; direct buffers are written in place), one
 * {@code epoll_ctl} when the pipe fills and one when it drains.
 */
public final class PipeSink {
    /** Buffers requested ahead; the most the sink holds. */
    public static final int PREFETCH = 2;
    private static final System.Logger LOG = System.getLogger(PipeSink.class.getName());
    private static final int STAGING_SIZE = 64 * 1024;
    /** Interest while waiting for data: only the one report of an error (the reader went away). */
    private static final int IDLE = Epoll.EPOLLONESHOT;
    /** Interest while the pipe is full. */
    private static final int WRITABLE = Epoll.EPOLLOUT;
    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };
    private static final int NEW = 0;
    private static final int OPENED = 1;
    private static final int ABORTED = 2;

    private final EventLoop loop;
    private final OwnedFd writeEnd;
    private final String name;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    /** Buffers requested and not yet received. */
    private final AtomicLong outstanding = new AtomicLong();
    /** Who owns the fd: the loop after {@link #open}, or the thread that found the loop closed. */
    private final AtomicInteger owner = new AtomicInteger(NEW);
    private final Upstream upstream = new Upstream();
    private final Handler handler = new Handler();
    /** Set once the sink stops accepting buffers; read by upstream threads. */
    private volatile boolean ended;
    /** Bytes written; written by the loop thread only. */
    private volatile long written;

    // Loop thread only.
    private Registration registration;
    private Memory staging;
    private ByteBuffer current;
    private boolean upstreamCompleted;
    private boolean terminated;

    private PipeSink(EventLoop loop, OwnedFd writeEnd, String name) {
        this.loop = loop;
        this.writeEnd = writeEnd;
        this.name = name;
    }

    /**
     * Starts writing {@code data} into the pipe: registers the write end on the loop and
     * subscribes to {@code data} on the calling thread. If the loop is closed, the write end is
     * closed at once, {@code data} is not subscribed to, and {@link #done()} fails with
     * {@link EventLoopClosedException}.
     *
     * @param loop     the loop that writes
     * @param writeEnd the pipe's write end (see {@link PipePair#forChildInput()}); ownership passes
     *                 to the sink, which makes it non-blocking if it is not
     * @param data     the bytes to write, in order; buffers are consumed from position to limit
     * @param name     what the pipe carries, for messages, for example {@code "stdin of 1234"}
     * @return the running sink
     */
    public static PipeSink feed(EventLoop loop, OwnedFd writeEnd, Flow.Publisher<ByteBuffer> data, String name) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(writeEnd, "writeEnd");
        Objects.requireNonNull(data, "data");
        PipeSink sink = new PipeSink(loop, writeEnd, Objects.requireNonNull(name, "name"));
        try {
            loop.execute(sink::open);
        } catch (EventLoopClosedException e) {
            sink.abort(e);
            return sink;
        }
        try {
            data.subscribe(sink.upstream);
        } catch (Throwable t) {
            sink.cancelUpstream();
            sink.hand(() -> sink.finish(t, false), t);
        }
        return sink;
    }

    /**
     * Completes with the bytes written once the upstream completed and everything was written;
     * fails as listed in the class description. The write end is closed before it completes.
     */
    public CompletionStage<Long> done() {
        return done;
    }

    /** Bytes written so far. Any thread. */
    public long written() {
        return written;
    }

    /** What the pipe carries. */
    public String name() {
        return name;
    }

    /**
     * Stops: cancels the upstream, drops unwritten buffers and closes the write end (on the loop,
     * shortly after); {@link #done()} fails with {@link CancellationException} unless it already
     * completed. Any thread; idempotent.
     */
    public void cancel() {
        ended = true;
        cancelUpstream();
        CancellationException cause = new CancellationException("the feed of " + name + " was cancelled after "
                + written + " bytes");
        hand(() -> finish(cause, false), cause);
    }

    @Override
    public String toString() {
        return "PipeSink[" + name + ", " + written + " bytes written" + (done.isDone() ? ", done]" : "]");
    }

    // ---- any thread ----

    /** Runs the task on the loop, or ends the sink here if the loop is closed. */
    private void hand(Runnable task, Throwable ifClosed) {
        try {
            loop.execute(task);
        } catch (EventLoopClosedException e) {
            abort(ifClosed);
        }
    }

    /**
     * The loop is closed. If it never opened the sink, closes the write end here; otherwise the
     * loop's shutdown ends the sink ({@link Handler#onLoopClosed}).
     */
    private void abort(Throwable cause) {
        ended = true;
        cancelUpstream();
        if (owner.compareAndSet(NEW, ABORTED)) {
            writeEnd.close();
            queue.clear();
            done.completeExceptionally(cause);
        }
    }

    private void cancelUpstream() {
        Flow.Subscription s = subscription.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED) {
            try {
                s.cancel();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "cancel() of the publisher feeding " + name + " threw", t);
            }
        }
    }

    // ---- loop thread ----

    private void open() {
        if (!owner.compareAndSet(NEW, OPENED)) {
            return;
        }
        // An end that came before this task (cancel, a broken publisher) is queued behind it.
        try {
            int r = Pipes.setNonBlocking(writeEnd.get());
            if (r < 0) {
                throw Errno.exception("fcntl(F_SETFL, O_NONBLOCK) on " + name, -r, null);
            }
            staging = new Memory(STAGING_SIZE);
            registration = loop.register(writeEnd, IDLE, handler);
        } catch (Throwable t) {
            finish(t, true);
            return;
        }
        drain();
    }

    /** Writes queued buffers until the pipe is full or the queue empty. */
    private void drain() {
        if (terminated || registration == null) {
            return;
        }
        for (;;) {
            ByteBuffer b = current;
            if (b == null) {
                b = queue.poll();
                if (b == null) {
                    break;
                }
                current = b;
            }
            while (b.hasRemaining()) {
                long n = write(b);
                if (n > 0) {
                    b.position(b.position() + (int) n);
                    written = written + n;
                } else if (n == -Errno.EAGAIN) {
                    interest(WRITABLE);
                    return;
                } else if (n == -Errno.EPIPE) {
                    finish(new BrokenPipeException(name, written), true);
                    return;
                } else if (n != -Errno.EINTR) {
                    finish(Errno.exception("write to " + name, (int) -n, null), true);
                    return;
                }
            }
            current = null;
            requestOne();
            if (terminated) {
                return;
            }
        }
        if (upstreamCompleted) {
            finish(null, false);
            return;
        }
        interest(IDLE);
    }

    /** One {@code write(2)} of up to 64 KiB from the buffer's position; bytes written or {@code -errno}. */
    private long write(ByteBuffer b) {
        int len = Math.min(b.remaining(), STAGING_SIZE);
        Pointer from;
        if (b.isDirect()) {
            from = Native.getDirectBufferPointer(b).share(b.position());
        } else if (b.hasArray()) {
            staging.write(0, b.array(), b.arrayOffset() + b.position(), len);
            from = staging;
        } else {
            ByteBuffer slice = b.duplicate();
            slice.limit(slice.position() + len);
            staging.getByteBuffer(0, len).put(slice);
            from = staging;
        }
        return Io.write(writeEnd.get(), from, len);
    }

    private void interest(int mask) {
        try {
            registration.interest(mask);
        } catch (Throwable t) {
            finish(t, true);
        }
    }

    private void requestOne() {
        Flow.Subscription s = subscription.get();
        if (s == null || s == CANCELLED) {
            return;
        }
        outstanding.incrementAndGet();
        try {
            s.request(1);
        } catch (Throwable t) {
            finish(t, true);
        }
    }

    /** Ends the sink once: deregisters, closes the write end, frees the staging buffer, completes {@link #done}. */
    private void finish(Throwable error, boolean cancelUpstream) {
        if (terminated) {
            return;
        }
        terminated = true;
        ended = true;
        if (cancelUpstream) {
            cancelUpstream();
        } else {
            subscription.set(CANCELLED);
        }
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        writeEnd.close();
        if (staging != null) {
            staging.close();
            staging = null;
        }
        queue.clear();
        current = null;
        if (error == null) {
            done.complete(written);
        } else {
            done.completeExceptionally(error);
        }
    }

    /** Readiness of the write end; loop thread. */
    private final class Handler implements ReadyHandler {
        @Override
        public void onReady(int readyEvents) {
            if (terminated) {
                return;
            }
            drain();
            if (!terminated && current == null && (readyEvents & Epoll.EPOLLERR) != 0) {
                // Reported while idle: nobody reads any more, whatever comes next.
                finish(new BrokenPipeException(name, written), true);
            }
        }

        @Override
        public void onLoopClosed(EventLoopClosedException cause) {
            finish(cause, true);
        }
    }

    /** The subscriber side: any thread, each signal handed to the loop in order. */
    private final class Upstream implements Flow.Subscriber<ByteBuffer> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            Objects.requireNonNull(s, "rule 2.13: onSubscribe(null)");
            if (!subscription.compareAndSet(null, s)) {
                s.cancel(); // rule 2.5: a second subscription, or the sink already ended
                return;
            }
            outstanding.addAndGet(PREFETCH);
            try {
                s.request(PREFETCH);
            } catch (Throwable t) {
                cancelUpstream();
                hand(() -> finish(t, false), t);
            }
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (item == null) {
                NullPointerException e = new NullPointerException("rule 2.13: the publisher feeding " + name
                        + " sent a null buffer; its subscription is cancelled");
                ended = true;
                cancelUpstream();
                hand(() -> finish(e, false), e);
                throw e;
            }
            if (ended) {
                return; // rule 2.8: signals after cancel are ignored
            }
            if (outstanding.getAndDecrement() <= 0) {
                IllegalStateException e = new IllegalStateException("rule 1.1: the publisher feeding " + name
                        + " sent more buffers than the " + PREFETCH + " requested; its subscription is cancelled");
                ended = true;
                cancelUpstream();
                hand(() -> finish(e, false), e);
                return;
            }
            queue.offer(item);
            hand(PipeSink.this::drain, new EventLoopClosedException(loop.name(), "the feed of " + name + " was live"));
        }

        @Override
        public void onError(Throwable t) {
            Objects.requireNonNull(t, "rule 2.13: onError(null)");
            hand(() -> finish(t, false), t);
        }

        @Override
        public void onComplete() {
            hand(() -> {
                upstreamCompleted = true;
                drain();
            }, new EventLoopClosedException(loop.name(), "the feed of " + name + " completed after the loop closed"));
        }
    }
}
