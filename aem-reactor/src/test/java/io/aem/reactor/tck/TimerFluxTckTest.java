package io.aem.reactor.tck;

import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * Reactive Streams TCK for the {@code Flux} of a periodic {@link Aem#timer(TimerSpec)}.
 *
 * <p>A periodic timer never completes: {@link #maxElementsFromPublisher()} says so and the TCK
 * skips the rules that need {@code onComplete}, with its own reason. The period is 1 ms so that
 * requested ticks arrive well within the TCK's timeouts. The failed publisher is the timer of an
 * {@link Aem} already closed: {@code onSubscribe}, then {@code onError(EventLoopClosedException)}.
 */
public class TimerFluxTckTest extends PublisherVerification<TimerTick> {
    private static final TimerSpec EVERY_MILLISECOND = TimerSpec.every(Duration.ofMillis(1));

    private Map<Integer, String> fdsBefore;
    private Aem aem;
    private Aem closedAem;

    public TimerFluxTckTest() {
        super(TckEnvironment.create(), TckEnvironment.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void createAem() {
        fdsBefore = OpenFds.snapshot();
        aem = Aem.create();
        closedAem = Aem.create();
        closedAem.close();
    }

    @AfterClass(alwaysRun = true)
    public void closeAemAndCheckFds() {
        if (aem != null) {
            aem.close();
        }
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

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
