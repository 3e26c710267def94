package io.aem.linux.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-subscriber {@link Flow.Publisher} of {@link PipePattern} buffers that emits on the thread
 * that requests (with a trampoline, so a request from {@code onNext} does not recurse), and
 * records demand: the most buffers ever requested and not yet delivered, and cancellation.
 * Optionally fails after some buffers, or sends a {@code null}. Tests only.
 */
final class PatternPublisher implements Flow.Publisher<ByteBuffer> {
    /** The failure sent after {@code failAfter} buffers. */
    static final IOException FAILURE = new IOException("the data source failed");

    /** Most buffers requested and not delivered at any time. */
    final AtomicLong maxOutstanding = new AtomicLong();
    /** Buffers delivered. */
    final AtomicLong delivered = new AtomicLong();
    /** Completes when the subscriber cancels. */
    final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    /** Completes when a subscriber arrives. */
    final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final long total;
    private final int bufferSize;
    private final long failAfter;
    private final boolean sendNull;
    private final boolean direct;

    private PatternPublisher(long total, int bufferSize, long failAfter, boolean sendNull, boolean direct) {
        this.total = total;
        this.bufferSize = bufferSize;
        this.failAfter = failAfter;
        this.sendNull = sendNull;
        this.direct = direct;
    }

    /** {@code total} pattern bytes in heap buffers of {@code bufferSize}, then completion. */
    static PatternPublisher of(long total, int bufferSize) {
        return new PatternPublisher(total, bufferSize, -1, false, false);
    }

    /** The same in direct buffers. */
    static PatternPublisher direct(long total, int bufferSize) {
        return new PatternPublisher(total, bufferSize, -1, false, true);
    }

    /** {@code buffers} buffers, then {@link #FAILURE}. */
    static PatternPublisher failingAfter(long buffers, int bufferSize) {
        return new PatternPublisher(Long.MAX_VALUE, bufferSize, buffers, false, false);
    }

    /** One buffer, then a {@code null}. */
    static PatternPublisher sendingNull(int bufferSize) {
        return new PatternPublisher(Long.MAX_VALUE, bufferSize, -1, true, false);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscribed.complete(null);
        subscriber.onSubscribe(new Subscription(subscriber));
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private long offset;
        private boolean done;

        Subscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            long now = requested.addAndGet(n);
            maxOutstanding.accumulateAndGet(now, Math::max);
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                emit();
            } while (wip.decrementAndGet() != 0);
        }

        private void emit() {
            while (!done && !cancelled.isDone()) {
                long sent = delivered.get();
                if (sent == failAfter) {
                    done = true;
                    subscriber.onError(FAILURE);
                    return;
                }
                if (offset >= total) {
                    done = true;
                    subscriber.onComplete();
                    return;
                }
                if (requested.get() == 0) {
                    return;
                }
                requested.decrementAndGet();
                delivered.incrementAndGet();
                if (sendNull && sent == 1) {
                    done = true;
                    try {
                        subscriber.onNext(null);
                    } catch (NullPointerException expected) {
                        // rule 2.13: the subscriber throws; the stream is over
                    }
                    return;
                }
                int len = (int) Math.min(bufferSize, total - offset);
                ByteBuffer b = PipePattern.buffer(len, offset);
                if (direct) {
                    ByteBuffer d = ByteBuffer.allocateDirect(len);
                    d.put(b).flip();
                    b = d;
                }
                offset += len;
                subscriber.onNext(b);
            }
        }

        @Override
        public void cancel() {
            cancelled.complete(null);
        }
    }
}
