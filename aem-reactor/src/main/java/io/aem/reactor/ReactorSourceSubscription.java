package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.SourceSubscription;
import java.util.Optional;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Operators;

/**
 * {@link SourceSubscription} for a Reactor {@link CoreSubscriber}: the same object is the
 * Reactive Streams {@link Subscription} handed to {@code onSubscribe}, so {@code request(n)} is
 * registration demand and {@code cancel()} closes the fd, with no adapter in between. The
 * subscriber's {@code Context} is visible to the source through
 * {@link io.aem.linux.source.SourceContext#subscriberContext(Object)}; errors arriving after the
 * end go to {@link Operators#onErrorDropped}.
 *
 * @param <E> the event type
 */
final class ReactorSourceSubscription<E> extends SourceSubscription<E> implements Subscription, Scannable {
    private final CoreSubscriber<? super E> actual;
    private volatile boolean done;

    ReactorSourceSubscription(EventLoop loop, EventSource<E> source, CoreSubscriber<? super E> actual) {
        super(loop, source);
        this.actual = actual;
    }

    @Override
    protected void deliverNext(E event) {
        actual.onNext(event);
    }

    @Override
    protected void deliverError(Throwable error) {
        done = true;
        actual.onError(error);
    }

    @Override
    protected void deliverComplete() {
        done = true;
        actual.onComplete();
    }

    @Override
    protected void dropError(Throwable error) {
        Operators.onErrorDropped(error, actual.currentContext());
    }

    @Override
    public Optional<Object> subscriberContext(Object key) {
        return actual.currentContext().getOrEmpty(key);
    }

    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.CANCELLED) {
            return isCancelled() && !done;
        }
        if (key == Attr.TERMINATED) {
            return done;
        }
        if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
            return requestedNow();
        }
        if (key == Attr.NAME) {
            return sourceName();
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return null;
    }
}
