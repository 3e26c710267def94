package io.aem.linux.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Any interleaving of signals and requests on a real eventfd: counts are never lost or invented,
 * and the subscriber never receives more events than it requested.
 */
class UserEventsPropertyTest {
    private static EventLoop loop;
    private static Map<Integer, String> fdsBefore;

    @BeforeContainer
    static void start() throws Exception {
        fdsBefore = OpenFds.snapshot();
        loop = EventLoop.open("user-events-properties");
    }

    @AfterContainer
    static void stop() {
        loop.close();
        OpenFds.awaitClosedSince(fdsBefore, UserEventsPropertyTest.class.getSimpleName(), Duration.ofSeconds(10));
    }

    /**
     * @param steps positive: signal that many; zero or negative: request that many plus one
     */
    @Property(tries = 60)
    void everySignalledUnitIsDeliveredOnceWithinDemand(@ForAll @Size(max = 40) List<@IntRange(min = -4, max = 6) Integer> steps)
            throws Exception {
        UserEvents events = UserEvents.create("property");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(0);
        new SourcePublisher<>(loop, events).subscribe(sub);
        long signalled = 0;
        long requested = 0;
        for (int step : steps) {
            if (step > 0) {
                events.signal(step);
                signalled += step;
            } else {
                sub.request(1 - step);
                requested += 1 - step;
            }
            if (step % 3 == 0) {
                CompletableFuture.runAsync(() -> { }, loop).get(5, TimeUnit.SECONDS);
            }
        }
        CompletableFuture.runAsync(() -> { }, loop).get(5, TimeUnit.SECONDS);
        assertThat((long) sub.items.size()).isLessThanOrEqualTo(requested);
        events.complete();
        sub.request(Long.MAX_VALUE);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(sub.items).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(sub.items.stream().mapToLong(Long::longValue).sum()).isEqualTo(signalled);
        assertThat(events.isOpen()).isFalse();
    }
}
