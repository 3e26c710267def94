package io.aem.linux.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A test subscriber that requests only when told and queues what it receives (a blocking queue:
 * tests can wait for the next item, and thousands of items stay cheap to add).
 *
 * @param <T> the item type
 */
public final class QueueingSubscriber<T> implements Flow.Subscriber<T> {
    /** What arrived, in order. */
    public final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();
    /** Completes with the subscription at {@code onSubscribe}. */
    public final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    /** Completes at {@code onComplete}, exceptionally at {@code onError}. */
    public final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
    }

    @Override
    public void onNext(T item) {
        items.add(item);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    /** Requests {@code n} more, once subscribed. */
    public void request(long n) {
        subscription.join().request(n);
    }
}
