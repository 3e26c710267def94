package io.aem.reactor.tck;

import io.aem.linux.event.UserEvents;
import io.aem.linux.testing.TckUserEvents;
import io.aem.reactor.Aem;
import org.reactivestreams.Publisher;

/**
 * Reactive Streams TCK for the {@code Flux} of {@link Aem#userEvents(UserEvents)}.
 *
 * <p>A publisher of {@code n} elements is a fresh semaphore-mode {@link UserEvents} signalled
 * {@code n} times up front and then completed: exactly {@code n} events of {@code 1}, then
 * {@code onComplete}. For {@code Long.MAX_VALUE} it is never completed. The failed publisher is
 * the flux of an {@link Aem} already closed: {@code onSubscribe}, then
 * {@code onError(EventLoopClosedException)}.
 */
public class UserEventsFluxTckTest extends AemPublisherVerification<Long> {
    private final TckUserEvents sources = new TckUserEvents();

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return aem.userEvents(sources.ofExactly(elements));
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return closedAem.userEvents(sources.silent());
    }

    @Override
    protected void releaseSources() {
        sources.close();
    }
}
