package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import java.util.Objects;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;

/**
 * The {@link Flux} face of an {@link EventSource}: a source {@code Flux} with its own
 * subscription (as reactor-core's {@code FluxInterval}), not {@code Flux.create} over a buffer.
 *
 * <p>Each subscriber opens the source anew on the loop. {@code request(n)} is the registration's
 * demand: with none, the fd is not read and the kernel holds the data. {@code cancel()} closes
 * the fd. Signals arrive on the loop thread, a {@link NonBlockingLoopThread} where the loop was
 * built by {@link Aem}: move blocking work away with {@code publishOn}. A loop shut down while
 * the stream is live ends it with {@link io.aem.linux.loop.EventLoopClosedException}.
 *
 * @param <E> the event type
 */
public final class FluxEventSource<E> extends Flux<E> implements Scannable {
    private final EventLoop loop;
    private final EventSource<E> source;

    /**
     * Creates the flux; nothing is opened until a subscriber arrives.
     *
     * @param loop   the loop that serves its subscriptions
     * @param source the source
     */
    public FluxEventSource(EventLoop loop, EventSource<E> source) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public void subscribe(CoreSubscriber<? super E> actual) {
        ReactorSourceSubscription<E> subscription = new ReactorSourceSubscription<>(loop, source, actual);
        actual.onSubscribe(subscription);
        subscription.start();
    }

    /** The loop serving this flux. */
    public EventLoop loop() {
        return loop;
    }

    /** The source. */
    public EventSource<E> source() {
        return source;
    }

    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.NAME) {
            return source.name();
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return null;
    }
}
