package io.aem.linux.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} that records what it receives and on which thread, requesting
 * nothing by itself: tests drive demand through {@link #request(long)}.
 *
 * @param <T> the element type
 */
public final class RecordingSubscriber<T> implements Flow.Subscriber<T> {
    /** Elements in arrival order. */
    public final List<T> items = new CopyOnWriteArrayList<>();
    /** Names of the threads {@code onNext} ran on. */
    public final List<String> threads = new CopyOnWriteArrayList<>();
    /** Completes normally on {@code onComplete}, exceptionally on {@code onError}. */
    public final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Completes with the subscription on {@code onSubscribe}. */
    public final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final long initialRequest;

    /** A subscriber that requests {@code initialRequest} in {@code onSubscribe} (0 for none). */
    public RecordingSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        threads.add(Thread.currentThread().getName());
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

    /** Adds demand. */
    public void request(long n) {
        subscription.join().request(n);
    }

    /** Cancels. */
    public void cancel() {
        subscription.join().cancel();
    }

    /** The error received, or {@code null}. */
    public Throwable error() {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }
}
