package io.aem.reactor.tck;

import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.reactor.Aem;
import java.time.Duration;
import org.reactivestreams.Publisher;

/**
 * Reactive Streams TCK for the {@code Flux} of a periodic {@link Aem#timer(TimerSpec)}.
 *
 * <p>A periodic timer never completes: {@link #maxElementsFromPublisher()} says so and the TCK
 * skips the rules that need {@code onComplete}, with its own reason. The period is 1 ms so that
 * requested ticks arrive well within the TCK's timeouts. The failed publisher is the timer of an
 * {@link Aem} already closed: {@code onSubscribe}, then {@code onError(EventLoopClosedException)}.
 */
public class TimerFluxTckTest extends AemPublisherVerification<TimerTick> {
    private static final TimerSpec EVERY_MILLISECOND = TimerSpec.every(Duration.ofMillis(1));

    @Override
    public Publisher<TimerTick> createPublisher(long elements) {
        return aem.timer(EVERY_MILLISECOND);
    }

    @Override
    public Publisher<TimerTick> createFailedPublisher() {
        return closedAem.timer(EVERY_MILLISECOND);
    }

    @Override
    public long maxElementsFromPublisher() {
        return publisherUnableToSignalOnComplete();
    }
}
