package io.aem.linux.source;

import io.aem.linux.loop.EventLoop;
import java.util.concurrent.Flow;

/**
 * {@link SourceSubscription} for a {@link Flow.Subscriber}: signals go straight to it.
 *
 * @param <E> the event type
 */
final class FlowSourceSubscription<E> extends SourceSubscription<E> {
    private final Flow.Subscriber<? super E> subscriber;

    FlowSourceSubscription(EventLoop loop, EventSource<E> source, Flow.Subscriber<? super E> subscriber) {
        super(loop, source);
        this.subscriber = subscriber;
    }

    @Override
    protected void deliverNext(E event) {
        subscriber.onNext(event);
    }

    @Override
    protected void deliverError(Throwable error) {
        subscriber.onError(error);
    }

    @Override
    protected void deliverComplete() {
        subscriber.onComplete();
    }
}
