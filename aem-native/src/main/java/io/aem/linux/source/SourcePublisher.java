package io.aem.linux.source;

import io.aem.linux.loop.EventLoop;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The {@link Flow.Publisher} face of an {@link EventSource}: each subscriber gets its own
 * subscription, served by one loop, opening the source anew (a cold publisher; a source that can
 * serve only one subscriber at a time says so by failing in {@link EventSource#open}).
 *
 * <p>See {@link SourceSubscription} for the demand, threading and resource contract. Subscribing
 * costs one task hand-over to the loop and the source's own open; no thread is created.
 *
 * @param <E> the event type
 */
public final class SourcePublisher<E> implements Flow.Publisher<E> {
    private final EventLoop loop;
    private final EventSource<E> source;

    /**
     * Creates the publisher; nothing is opened until a subscriber arrives.
     *
     * @param loop   the loop to serve subscriptions on
     * @param source the source
     */
    public SourcePublisher(EventLoop loop, EventSource<E> source) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Subscribes: {@code onSubscribe} runs on the calling thread, then the source is opened on
     * the loop. A closed loop gives {@code onSubscribe} followed by {@code onError} with
     * {@link io.aem.linux.loop.EventLoopClosedException}.
     *
     * @param subscriber the subscriber, not {@code null} (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super E> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber (rule 1.9)");
        FlowSourceSubscription<E> subscription = new FlowSourceSubscription<>(loop, source, subscriber);
        subscriber.onSubscribe(subscription);
        subscription.start();
    }

    /** The loop this publisher serves on. */
    public EventLoop loop() {
        return loop;
    }

    /** The source. */
    public EventSource<E> source() {
        return source;
    }

    @Override
    public String toString() {
        return "SourcePublisher[" + source.name() + " on " + loop.name() + "]";
    }
}
