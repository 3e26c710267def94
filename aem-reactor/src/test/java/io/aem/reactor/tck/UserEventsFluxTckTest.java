package io.aem.reactor.tck;

import io.aem.linux.KernelException;
import io.aem.linux.event.UserEvents;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import io.aem.reactor.Aem;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * Reactive Streams TCK for the {@code Flux} of {@link Aem#userEvents(UserEvents)}.
 *
 * <p>A publisher of {@code n} elements is a fresh semaphore-mode {@link UserEvents} signalled
 * {@code n} times up front and then completed: exactly {@code n} events of {@code 1}, then
 * {@code onComplete}. For {@code Long.MAX_VALUE} it is never completed. The failed publisher is
 * the flux of an {@link Aem} already closed: {@code onSubscribe}, then
 * {@code onError(EventLoopClosedException)}.
 */
public class UserEventsFluxTckTest extends PublisherVerification<Long> {
    /** Every source made here; one no subscription served (rule 1.9's {@code subscribe(null)}) is closed by its creator. */
    private final List<UserEvents> created = new CopyOnWriteArrayList<>();
    private Map<Integer, String> fdsBefore;
    private Aem aem;
    private Aem closedAem;

    public UserEventsFluxTckTest() {
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
        created.forEach(UserEvents::close);
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        UserEvents events = newSemaphore("tck-" + elements);
        if (elements > 0) {
            events.signal(elements);
        }
        if (elements != Long.MAX_VALUE) {
            events.complete();
        }
        return aem.userEvents(events);
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return closedAem.userEvents(newSemaphore("tck-failed"));
    }

    private UserEvents newSemaphore(String name) {
        try {
            UserEvents events = UserEvents.createSemaphore(name);
            created.add(events);
            return events;
        } catch (KernelException e) {
            throw new UncheckedIOException(e);
        }
    }
}
