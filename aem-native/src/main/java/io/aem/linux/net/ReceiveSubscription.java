package io.aem.linux.net;

import io.aem.linux.source.Demand;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one receive subscription of a connection: demand in (any thread), chunks out (loop thread).
 * Demand becoming positive hands a task to the loop that adds {@code EPOLLIN} to the connection's
 * interest; while the connection's own read loop runs, demand added from inside {@code onNext}
 * costs one atomic add and nothing else.
 */
final class ReceiveSubscription implements Flow.Subscription {
    private final TcpConnection connection;
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final boolean borrowed;
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelled;
    /** Loop thread only: a terminal signal was sent. */
    private boolean done;

    ReceiveSubscription(TcpConnection connection, Flow.Subscriber<? super ByteBuffer> subscriber, boolean borrowed) {
        this.connection = connection;
        this.subscriber = subscriber;
        this.borrowed = borrowed;
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancelled = true;
            connection.receiveFailed(this, new IllegalArgumentException(
                    "rule 3.9: request(n) needs n > 0, was " + n + "; the connection " + connection + " is closed"));
            return;
        }
        if (Demand.add(requested, n) == 0) {
            connection.demandArrived(this);
        }
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            connection.receiveCancelled(this);
        }
    }

    boolean borrowed() {
        return borrowed;
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean active() {
        return !done && !cancelled;
    }

    boolean hasDemand() {
        return requested.get() > 0;
    }

    /** Loop thread: delivers one chunk, taking one from the demand. Returns false if the subscriber threw. */
    boolean next(ByteBuffer chunk) {
        long r = requested.get();
        if (r != Long.MAX_VALUE) {
            requested.decrementAndGet();
        }
        try {
            subscriber.onNext(chunk);
            return true;
        } catch (Throwable t) {
            cancelled = true;
            error(t);
            return false;
        }
    }

    /** Loop thread: end of stream. */
    void complete() {
        if (done) {
            return;
        }
        done = true;
        if (!cancelled) {
            subscriber.onComplete();
        }
    }

    /** Loop thread (or any thread before the subscription reached the loop): the stream failed. */
    void error(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        subscriber.onError(error);
    }
}
