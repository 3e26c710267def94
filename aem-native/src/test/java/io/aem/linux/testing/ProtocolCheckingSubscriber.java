package io.aem.linux.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Flow.Subscriber} for race tests: requests nothing by itself, counts what it receives
 * and records every breach of the Reactive Streams signal rules it can see (a second
 * {@code onSubscribe}, overlapping or late {@code onNext}, signals off the expected thread, more
 * than one terminal signal) instead of throwing, so the test can assert on them afterwards.
 *
 * @param <T> the element type
 */
public final class ProtocolCheckingSubscriber<T> implements Flow.Subscriber<T> {
    private final Thread deliveryThread;
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger inOnNext = new AtomicInteger();
    private final AtomicBoolean terminated = new AtomicBoolean();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicReference<String> violation = new AtomicReference<>();
    private volatile long cancelAfter = Long.MAX_VALUE;
    private volatile boolean cancelOnSubscribe;

    /**
     * @param deliveryThread the thread every {@code onNext} and terminal signal must arrive on
     */
    public ProtocolCheckingSubscriber(Thread deliveryThread) {
        this.deliveryThread = deliveryThread;
    }

    /** Makes {@code onNext} cancel the subscription itself once this many elements arrived. */
    public ProtocolCheckingSubscriber<T> cancelInOnNextAfter(long elements) {
        this.cancelAfter = elements;
        return this;
    }

    /** Makes {@code onSubscribe} cancel at once, before the publisher has done anything else. */
    public ProtocolCheckingSubscriber<T> cancelInOnSubscribe() {
        this.cancelOnSubscribe = true;
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.complete(s)) {
            violation("onSubscribe called twice");
            s.cancel();
        } else if (cancelOnSubscribe) {
            s.cancel();
        }
    }

    @Override
    public void onNext(T item) {
        if (inOnNext.getAndIncrement() != 0) {
            violation("onNext overlapped another onNext (rule 1.3)");
        }
        checkThread("onNext");
        if (terminated.get()) {
            violation("onNext after a terminal signal (rule 1.7)");
        }
        if (item == null) {
            violation("onNext(null) (rule 2.13)");
        }
        long n = received.incrementAndGet();
        if (n == cancelAfter) {
            subscription.join().cancel();
        }
        inOnNext.decrementAndGet();
    }

    @Override
    public void onError(Throwable t) {
        checkThread("onError");
        if (!terminated.compareAndSet(false, true)) {
            violation("second terminal signal: onError(" + t + ") (rule 1.7)");
        }
        error.set(t);
    }

    @Override
    public void onComplete() {
        checkThread("onComplete");
        if (!terminated.compareAndSet(false, true)) {
            violation("second terminal signal: onComplete (rule 1.7)");
        }
        completed.set(true);
    }

    private void checkThread(String signal) {
        if (Thread.currentThread() != deliveryThread) {
            violation(signal + " on '" + Thread.currentThread().getName() + "', not on '" + deliveryThread.getName() + "'");
        }
    }

    private void violation(String what) {
        violation.compareAndSet(null, what);
    }

    /** The subscription; {@code onSubscribe} runs on the subscribing thread, so it is there once subscribe returned. */
    public Flow.Subscription subscription() {
        return subscription.getNow(null);
    }

    /** Elements received so far. */
    public long received() {
        return received.get();
    }

    /** The error received, if any. */
    public Throwable error() {
        return error.get();
    }

    /** Whether {@code onComplete} arrived. */
    public boolean completed() {
        return completed.get();
    }

    /** Whether a terminal signal arrived. */
    public boolean terminated() {
        return terminated.get();
    }

    /** The first rule breach seen, or {@code null}. */
    public String violation() {
        return violation.get();
    }
}
