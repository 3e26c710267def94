package io.aem.linux.proc;

import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-fed upstream for operator tests: items pushed by the test are delivered as demand
 * allows, on the thread that pushes or requests; counts what was requested and whether it was
 * cancelled. One subscriber.
 */
final class EventsPublisher<T> implements Flow.Publisher<T> {
    final AtomicLong requested = new AtomicLong();
    volatile boolean cancelled;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final Object emitting = new Object();
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean completeWhenEmpty;
    private Throwable error;
    private boolean done;

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        synchronized (this) {
            subscriber = s;
        }
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
                synchronized (EventsPublisher.this) {
                    demand += n;
                }
                drain();
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }

    /** Queues items, delivered as demand allows. */
    @SafeVarargs
    final void push(T... items) {
        synchronized (this) {
            for (T item : items) {
                queue.add(item);
            }
        }
        drain();
    }

    /** Completes once every queued item was delivered. */
    void complete() {
        synchronized (this) {
            completeWhenEmpty = true;
        }
        drain();
    }

    /** Fails at once. */
    void fail(Throwable t) {
        synchronized (this) {
            error = t;
        }
        drain();
    }

    private void drain() {
        synchronized (emitting) {
            emitOne();
        }
    }

    /** Serialised by {@code emitting} (reentrant: a request from within onNext emits at once). */
    private void emitOne() {
        for (;;) {
            Flow.Subscriber<? super T> s;
            T item = null;
            Throwable failure = null;
            boolean complete = false;
            synchronized (this) {
                s = subscriber;
                if (s == null || done || cancelled) {
                    return;
                }
                if (error != null) {
                    failure = error;
                    done = true;
                } else if (demand > 0 && !queue.isEmpty()) {
                    item = queue.poll();
                    demand--;
                } else if (queue.isEmpty() && completeWhenEmpty) {
                    complete = true;
                    done = true;
                } else {
                    return;
                }
            }
            if (failure != null) {
                s.onError(failure);
                return;
            }
            if (complete) {
                s.onComplete();
                return;
            }
            s.onNext(item);
        }
    }
}
