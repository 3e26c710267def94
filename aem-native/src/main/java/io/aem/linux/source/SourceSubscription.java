package io.aem.linux.source;

import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.sys.Epoll;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * The subscription of one subscriber to one {@link EventSource}: demand in, events out, with the
 * kernel holding whatever the subscriber is not ready for.
 *
 * <p><b>Demand.</b> {@link #request(long)} may be called from any thread; it adds to the demand
 * (capped at {@code Long.MAX_VALUE}, which means unbounded) and, when demand was zero, hands a
 * resume to the loop. The loop reads only while demand is positive. When the fd becomes ready
 * with no demand the registration is paused: its interest becomes {@code EPOLLONESHOT} alone
 * ({@code EPOLL_CTL_MOD}), so the kernel keeps the data (eventfd counts add up, timerfd
 * expirations accumulate, socket windows close) and does not wake the loop again, not even for a
 * hang-up. Demand returning re-arms {@link EventSource#readInterest()}. A subscriber that keeps
 * demand positive never costs an {@code epoll_ctl}.
 *
 * <p><b>Signals</b> ({@code onNext}, {@code onError}, {@code onComplete}) are delivered on the
 * loop thread, serially; {@code onSubscribe} on the subscribing thread. A subscriber that throws
 * ends its own stream (the fd is closed and it receives {@code onError} with what it threw);
 * the loop and other streams go on. {@code request(n <= 0)} ends the stream with an
 * {@link IllegalArgumentException} (rule 3.9).
 *
 * <p><b>Resources.</b> The fd and the batch buffer are released on the loop thread, exactly once,
 * before the terminal signal: on cancel, completion, error and loop shutdown (the subscriber
 * then receives an {@link EventLoopClosedException}). A subscription that ends before its
 * source was opened (cancelled at once, or refused by a closed loop) calls
 * {@link EventSource#abandoned()} instead. Once ended, the subscription is no longer reachable
 * from the loop, so a cancelled subscriber can be garbage-collected (rule 3.13).
 *
 * <p>Subclasses adapt the four delivery hooks to a subscriber type: {@link FlowSourceSubscription}
 * for {@code Flow.Subscriber}, aem-reactor's for Reactor's {@code CoreSubscriber}. The class
 * implements both {@code Flow.Subscription} and, through subclasses, Reactive Streams'
 * {@code Subscription}, whose methods have the same signatures.
 *
 * @param <E> the event type
 */
public abstract class SourceSubscription<E> implements Flow.Subscription, ReadyHandler, SourceContext, StreamStats {
    private static final System.Logger LOG = System.getLogger(SourceSubscription.class.getName());
    private static final VarHandle REQUESTED;
    private static final VarHandle CANCELLED;
    /** Written by the loop thread only, with opaque stores: no fence per event, still readable by metrics. */
    private static final VarHandle DELIVERED;
    /** Interest while paused: nothing but one hang-up report. */
    private static final int PAUSED = Epoll.EPOLLONESHOT;
    /** At most this many reads per readiness report, so one busy fd cannot starve the others. */
    private static final int MAX_READS_PER_TURN = 16;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REQUESTED = l.findVarHandle(SourceSubscription.class, "requested", long.class);
            CANCELLED = l.findVarHandle(SourceSubscription.class, "cancelled", int.class);
            DELIVERED = l.findVarHandle(SourceSubscription.class, "delivered", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final EventSource<E> source;
    private final boolean oneReadEmptiesFd;

    @SuppressWarnings("unused") // through REQUESTED
    private volatile long requested;
    @SuppressWarnings("unused") // through CANCELLED
    private volatile int cancelled;

    @SuppressWarnings("unused") // through DELIVERED
    private long delivered;
    private volatile long lost;
    private volatile long stalledNanos;
    private volatile long stalledSince;

    // Loop thread only.
    private OwnedFd fd;
    private Registration registration;
    private ReadBuffer buffer;
    private boolean armed;
    private boolean draining;
    private boolean terminated;
    private boolean ending;
    private boolean endCheckPending;

    /**
     * Creates the subscription; nothing happens in the kernel until {@link #start()}.
     *
     * @param loop   the loop that serves it
     * @param source what to read
     */
    protected SourceSubscription(EventLoop loop, EventSource<E> source) {
        this.loop = loop;
        this.source = source;
        this.oneReadEmptiesFd = source.oneReadEmptiesFd();
    }

    /**
     * Opens the source on the loop. Call once, after the subscriber's {@code onSubscribe} returned.
     * If the loop is closed the subscriber receives {@link EventLoopClosedException} at once.
     */
    public final void start() {
        try {
            loop.execute(this::open);
        } catch (EventLoopClosedException e) {
            abandon();
            if ((int) CANCELLED.getAndSet(this, 1) == 0) {
                deliverError(e);
            }
        }
    }

    // ---- Subscription, any thread ----

    /**
     * Adds demand. Any thread; cheap while demand stays positive (one atomic add).
     *
     * @param n how many more events the subscriber accepts; {@code <= 0} ends the stream with
     *          {@link IllegalArgumentException}
     */
    @Override
    public final void request(long n) {
        if (n <= 0) {
            schedule(() -> fail(new IllegalArgumentException(
                    "rule 3.9: request(n) needs n > 0, was " + n + "; the stream of " + source.name() + " is cancelled")));
            return;
        }
        long prev;
        long next;
        do {
            prev = (long) REQUESTED.getVolatile(this);
            if (prev == Long.MAX_VALUE) {
                return;
            }
            next = prev + n;
            if (next < 0) {
                next = Long.MAX_VALUE;
            }
        } while (!REQUESTED.compareAndSet(this, prev, next));
        if (prev == 0 && !(loop.inEventLoop() && draining)) {
            schedule(this::resume);
        }
    }

    /** Ends the subscription: the fd is closed on the loop; no signal follows. Any thread; idempotent. */
    @Override
    public final void cancel() {
        if ((int) CANCELLED.getAndSet(this, 1) != 0) {
            return;
        }
        if (loop.inEventLoop()) {
            if (!draining) {
                release();
            }
        } else {
            schedule(this::release);
        }
    }

    /** Whether the subscriber cancelled or the stream ended. */
    public final boolean isCancelled() {
        return (int) CANCELLED.getVolatile(this) != 0;
    }

    /** Outstanding demand; {@code Long.MAX_VALUE} means unbounded. */
    public final long requestedNow() {
        return (long) REQUESTED.getVolatile(this);
    }

    // ---- SourceContext ----

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public Optional<Object> subscriberContext(Object key) {
        return Optional.empty();
    }

    @Override
    public final void reportLoss(long count) {
        lost = lost + Math.max(1, count);
    }

    @Override
    public final void completeAfterBatch() {
        ending = true;
    }

    @Override
    public final long demand() {
        return isCancelled() ? 0 : requestedNow();
    }

    @Override
    public final void readAgain() {
        schedule(() -> {
            endCheckPending = true;
            drain(false);
        });
    }

    // ---- StreamStats ----

    @Override
    public final String sourceName() {
        return source.name();
    }

    @Override
    public final long delivered() {
        return (long) DELIVERED.getOpaque(this);
    }

    @Override
    public final long lost() {
        return lost;
    }

    @Override
    public final long stalledNanos() {
        long since = stalledSince;
        return stalledNanos + (since != 0 ? System.nanoTime() - since : 0);
    }

    @Override
    public final boolean stalled() {
        return stalledSince != 0;
    }

    // ---- delivery hooks ----

    /** Delivers one event to the subscriber. Loop thread. */
    protected abstract void deliverNext(E event);

    /** Delivers the error to the subscriber. Loop thread, or the subscribing thread when the loop is closed. */
    protected abstract void deliverError(Throwable error);

    /** Delivers completion to the subscriber. Loop thread. */
    protected abstract void deliverComplete();

    /** An error that arrived after the stream ended; the default logs it. */
    protected void dropError(Throwable error) {
        LOG.log(Level.WARNING, "error after the stream of " + source.name() + " ended", error);
    }

    // ---- loop thread ----

    private void schedule(Runnable task) {
        try {
            loop.execute(task);
        } catch (EventLoopClosedException e) {
            // The loop's shutdown ends this stream itself.
        }
    }

    private void open() {
        if (terminated || isCancelled()) {
            terminated = true;
            abandon();
            return;
        }
        loop.track(this);
        try {
            fd = source.open(this);
            buffer = new ReadBuffer(source.batchSize());
            armed = requestedNow() > 0;
            registration = loop.register(fd, armed ? source.readInterest() : PAUSED, this);
        } catch (Throwable t) {
            fail(t);
            return;
        }
        if (armed) {
            drain(true);
        }
    }

    private void resume() {
        if (registration == null || terminated) {
            return;
        }
        if (!armed) {
            try {
                registration.interest(source.readInterest());
            } catch (Throwable t) {
                fail(t);
                return;
            }
            armed = true;
            long since = stalledSince;
            if (since != 0) {
                stalledNanos += System.nanoTime() - since;
                stalledSince = 0;
            }
        }
        drain(false);
    }

    @Override
    public final void onReady(int readyEvents) {
        if (terminated) {
            return;
        }
        if (requestedNow() == 0) {
            pause();
            return;
        }
        drain(true);
    }

    @Override
    public final void onLoopClosed(EventLoopClosedException cause) {
        fail(cause);
    }

    private void pause() {
        if (!armed || terminated) {
            return;
        }
        try {
            registration.interest(PAUSED);
        } catch (Throwable t) {
            fail(t);
            return;
        }
        armed = false;
        stalledSince = System.nanoTime();
    }

    /**
     * Emits from the batch buffer, reading more when allowed, while there is demand.
     *
     * @param mayRead whether the fd may be read (it was reported ready)
     */
    private void drain(boolean mayRead) {
        if (draining || terminated || registration == null) {
            return;
        }
        draining = true;
        try {
            drainLoop(mayRead);
        } catch (Throwable t) {
            fail(t);
        } finally {
            draining = false;
        }
        if (!terminated && isCancelled()) {
            release();
        }
    }

    /**
     * The drain loop. Reads happen while there is demand and the fd was reported ready, or
     * while an end check asked by {@link #readAgain()} is pending: that check may read once into
     * the empty batch buffer even without demand, and stays pending until a read answers
     * "would block" or "end", so that an end of stream is noticed after the data read before it.
     */
    private void drainLoop(boolean mayRead) throws Exception {
        ByteBuffer batch = buffer.buffer();
        int reads = 0;
        long r = requestedNow();
        long emitted = 0;
        for (;;) {
            if (isCancelled()) {
                settle(r, emitted);
                return;
            }
            boolean empty = !batch.hasRemaining() && !source.holdsEvents();
            if (ending && empty) {
                settle(r, emitted);
                complete();
                return;
            }
            if (emitted == r) {
                r = settle(r, emitted);
                emitted = 0;
                if (r == 0) {
                    if (endCheckPending && empty && reads < MAX_READS_PER_TURN) {
                        reads++;
                        if (readBatch(batch) > 0) {
                            continue;
                        }
                    }
                    return;
                }
                continue;
            }
            if (empty) {
                if (!(mayRead || endCheckPending) || reads == MAX_READS_PER_TURN) {
                    settle(r, emitted);
                    return;
                }
                reads++;
                if (readBatch(batch) <= 0) {
                    settle(r, emitted);
                    return;
                }
                if (oneReadEmptiesFd) {
                    mayRead = false;
                }
                continue;
            }
            int before = batch.position();
            E event = source.decode(batch, this);
            if (event != null) {
                DELIVERED.setOpaque(this, (long) DELIVERED.getOpaque(this) + 1);
                emitted++;
                deliverNext(event);
            } else if (batch.position() == before) {
                throw new IllegalStateException("decoder of " + source.name() + " consumed nothing and returned no event");
            }
        }
    }

    /** One read into the empty batch; completes the stream at its end. Returns what the source's read returned. */
    private int readBatch(ByteBuffer batch) throws Exception {
        batch.clear();
        int n = source.read(fd, buffer);
        batch.limit(Math.max(n, 0));
        if (n <= 0) {
            endCheckPending = false;
        }
        if (n == EventSource.END_OF_STREAM) {
            complete();
        }
        return n;
    }

    /** Takes what was emitted off the demand; returns the demand left. */
    private long settle(long r, long emitted) {
        if (r == Long.MAX_VALUE || emitted == 0) {
            return requestedNow();
        }
        return (long) REQUESTED.getAndAdd(this, -emitted) - emitted;
    }

    private void complete() {
        if (terminated) {
            return;
        }
        boolean signal = (int) CANCELLED.getAndSet(this, 1) == 0;
        release();
        if (signal) {
            try {
                deliverComplete();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "onComplete of the subscriber of " + source.name() + " threw", t);
            }
        }
    }

    private void fail(Throwable error) {
        boolean signal = !terminated && (int) CANCELLED.getAndSet(this, 1) == 0;
        release();
        if (signal) {
            try {
                deliverError(error);
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "onError of the subscriber of " + source.name() + " threw", t);
            }
        } else if (!(error instanceof EventLoopClosedException)) {
            dropError(error);
        }
    }

    /** The subscription ended before the source was opened: lets the source release what it holds. */
    private void abandon() {
        try {
            source.abandoned();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "abandoned() of " + source.name() + " threw", t);
        }
    }

    /** Deregisters, closes the fd and frees the buffer, once. */
    private void release() {
        if (terminated) {
            return;
        }
        terminated = true;
        loop.untrack(this);
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        if (fd != null) {
            fd.close();
            fd = null;
            try {
                source.closed();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "closed() of " + source.name() + " threw", t);
            }
        }
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
        long since = stalledSince;
        if (since != 0) {
            stalledNanos += System.nanoTime() - since;
            stalledSince = 0;
        }
    }
}
