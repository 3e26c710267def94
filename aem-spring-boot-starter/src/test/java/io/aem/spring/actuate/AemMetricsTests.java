package io.aem.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;

/**
 * {@link AemMetrics} without a Spring context: the refresh driven by hand, so that the meter set
 * is checked after each change of the live streams.
 */
@ExtendWith(FdLeakCheck.class)
class AemMetricsTests {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration NEVER = Duration.ofHours(1);

    private final Aem aem = Aem.create();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AemMetrics metrics = new AemMetrics(aem, NEVER, NEVER);

    @AfterEach
    void close() {
        metrics.close();
        aem.close();
    }

    @Test
    void streamsOfOneSourceShareMetersWhoseCountKeepsWhatEndedStreamsDelivered() throws Exception {
        metrics.bindTo(registry);
        UserEvents first = UserEvents.createSemaphore("shared");
        UserEvents second = UserEvents.createSemaphore("shared");
        Disposable one = aem.userEvents(first).subscribe();
        Disposable two = aem.userEvents(second).subscribe();
        try {
            first.signal(3);
            second.signal(4);
            await().atMost(WAIT).until(() -> delivered(aem) == 7);
            metrics.refresh();
            FunctionCounter events = registry.get("aem.events").tag("source", sourceName(first)).functionCounter();
            assertThat(events.count()).isEqualTo(7.0);
            assertThat(registry.get("aem.streams").tag("source", sourceName(first)).gauge().value()).isEqualTo(2.0);

            one.dispose();
            await().atMost(WAIT).until(() -> aem.loops().get(0).streams().size() == 1);
            metrics.refresh();
            assertThat(events.count()).as("the ended stream's 3 stay counted").isEqualTo(7.0);
            second.signal(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(events.count()).isEqualTo(8.0));
            assertThat(registry.get("aem.events").functionCounters()).hasSize(1);
        } finally {
            one.dispose();
            two.dispose();
        }
    }

    @Test
    void metersOfASourceWithNoLiveStreamAreRemovedAndCloseRemovesTheRest() throws Exception {
        metrics.bindTo(registry);
        List<String> loopMeters = List.of("aem.loop.lag", "aem.loop.registrations");
        assertThat(meterNames()).containsExactlyInAnyOrderElementsOf(loopMeters);
        for (int round = 0; round < 3; round++) {
            UserEvents events = UserEvents.create("round-" + round);
            Disposable subscription = aem.userEvents(events).subscribe();
            await().atMost(WAIT).until(() -> aem.loops().get(0).streams().size() == 1);
            metrics.refresh();
            assertThat(meterNames()).containsExactlyInAnyOrder("aem.loop.lag", "aem.loop.registrations",
                    "aem.events", "aem.events.lost", "aem.demand.stalled", "aem.streams");
            subscription.dispose();
            await().atMost(WAIT).until(() -> aem.loops().get(0).streams().isEmpty());
            metrics.refresh();
            assertThat(meterNames()).containsExactlyInAnyOrderElementsOf(loopMeters);
        }
        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThatIllegalStateException().isThrownBy(() -> metrics.bindTo(registry));
    }

    @Test
    void theLoopThreadRunsTheLagProbe() {
        AemMetrics probing = new AemMetrics(aem, NEVER, Duration.ofMillis(20));
        try {
            probing.bindTo(registry);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(registry.get("aem.loop.lag").tag("loop", "aem-1").timer().count()).isGreaterThanOrEqualTo(3);
                assertThat(registry.get("aem.loop.registrations").tag("loop", "aem-1").gauge().value()).isNotNaN();
            });
        } finally {
            probing.close();
        }
        aem.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    private List<String> meterNames() {
        return registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).toList();
    }

    private static long delivered(Aem aem) {
        return aem.loops().get(0).streams().stream().mapToLong(StreamStats::delivered).sum();
    }

    private static String sourceName(UserEvents events) {
        return events.name();
    }
}
