package io.aem.linux.tck;

import io.aem.linux.KernelException;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of {@link UserEvents}.
 *
 * <p>A publisher of {@code n} elements is a fresh semaphore-mode eventfd signalled {@code n}
 * times up front and then {@linkplain UserEvents#complete() completed}: each unit is its own
 * event, so the stream is exactly {@code n} events of {@code 1} followed by {@code onComplete}.
 * Signalling everything at once is what the source is for: the kernel counter holds the units
 * while the subscriber has no demand. For {@code Long.MAX_VALUE} (an unbounded stream) the
 * eventfd is signalled but never completed.
 *
 * <p>The failed publisher serves on a loop that is already closed: {@code onSubscribe} followed
 * by {@code onError(EventLoopClosedException)}.
 */
public class UserEventsPublisherTckTest extends FlowPublisherVerification<Long> {
    /**
     * Every source made here. A subscription closes its eventfd when it ends; one that no
     * subscription served (rule 1.9's {@code subscribe(null)}) is closed by its creator, as
     * {@link UserEvents#close()} says.
     */
    private final List<UserEvents> created = new CopyOnWriteArrayList<>();
    private Map<Integer, String> fdsBefore;
    private EventLoop loop;
    private EventLoop closedLoop;

    public UserEventsPublisherTckTest() {
        super(TckEnvironment.create(), TckEnvironment.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void openLoops() throws IOException {
        fdsBefore = OpenFds.snapshot();
        loop = EventLoop.open("tck-user-events");
        closedLoop = EventLoop.open("tck-user-events-closed");
        closedLoop.close();
    }

    @AfterClass(alwaysRun = true)
    public void closeLoopsAndCheckFds() {
        if (loop != null) {
            loop.close();
        }
        created.forEach(UserEvents::close);
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        UserEvents events = newSemaphore("tck-" + elements);
        if (elements > 0) {
            events.signal(elements);
        }
        if (elements != Long.MAX_VALUE) {
            events.complete();
        }
        return new SourcePublisher<>(loop, events);
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        UserEvents events = newSemaphore("tck-failed");
        return new SourcePublisher<>(closedLoop, events);
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
