package io.aem.linux.tck;

import io.aem.linux.event.UserEvents;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.TckUserEvents;
import java.util.concurrent.Flow;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of {@link UserEvents}.
 *
 * <p>A publisher of {@code n} elements is a fresh semaphore-mode source signalled {@code n}
 * times up front and then {@linkplain UserEvents#complete() completed} ({@link TckUserEvents}):
 * each unit is its own event, so the stream is exactly {@code n} events of {@code 1} followed by
 * {@code onComplete}. Signalling everything at once is what the source is for: the counter holds
 * the units while the subscriber has no demand. For {@code Long.MAX_VALUE} (an unbounded stream)
 * it is signalled but never completed.
 *
 * <p>The failed publisher serves on a loop that is already closed: {@code onSubscribe} followed
 * by {@code onError(EventLoopClosedException)}.
 */
public class UserEventsPublisherTckTest extends LoopPublisherVerification<Long> {
    private final TckUserEvents sources = new TckUserEvents();

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return new SourcePublisher<>(loop, sources.ofExactly(elements));
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return new SourcePublisher<>(closedLoop, sources.silent());
    }

    @Override
    protected void releaseSources() {
        sources.close();
    }
}
