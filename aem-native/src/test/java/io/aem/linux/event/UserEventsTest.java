package io.aem.linux.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.ClosedFdException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class UserEventsTest {
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("user-events-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static <T> T onLoop(java.util.function.Supplier<T> s) {
        return CompletableFuture.supplyAsync(s, loop).join();
    }

    @Test
    void withoutDemandNothingIsReadAndTheCountArrivesSummedWhenDemandReturns() throws Exception {
        UserEvents events = UserEvents.create("sum");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(0);
        new SourcePublisher<>(loop, events).subscribe(sub);
        for (int i = 0; i < 1000; i++) {
            events.signal();
        }
        events.signal(500);
        // The loop is idle (every queued task ran) and nothing was delivered: the kernel holds the count.
        await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(loop::registrationCount) == 1);
        onLoop(() -> null);
        assertThat(sub.items).isEmpty();
        StreamStats stats = loop.streams().iterator().next();
        assertThat(stats.delivered()).isZero();

        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        assertThat(sub.items).containsExactly(1500L);
        assertThat(sub.threads).containsOnly("user-events-test");

        events.signal(7);
        sub.request(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        assertThat(sub.items).containsExactly(1500L, 7L);
        sub.cancel();
        await().atMost(Duration.ofSeconds(5)).until(() -> !events.isOpen());
    }

    @Test
    void eventsArrivingWhileNoDemandPauseTheRegistrationAndCountStallTime() throws Exception {
        UserEvents events = UserEvents.create("stall");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(loop, events).subscribe(sub);
        events.signal(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        events.signal(4);
        StreamStats stats = loop.streams().stream().filter(s -> s.sourceName().contains("stall")).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(stats::stalled);
        long stalledBefore = stats.stalledNanos();
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.stalledNanos() > stalledBefore);
        assertThat(sub.items).containsExactly(3L);
        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        assertThat(sub.items).containsExactly(3L, 4L);
        assertThat(stats.stalled()).isFalse();
        assertThat(stats.delivered()).isEqualTo(2);
        sub.cancel();
    }

    @Test
    void semaphoreModeDeliversEachUnitAsItsOwnEvent() throws Exception {
        UserEvents events = UserEvents.createSemaphore("units");
        events.signal(5);
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(3);
        new SourcePublisher<>(loop, events).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 3);
        onLoop(() -> null);
        assertThat(sub.items).containsExactly(1L, 1L, 1L);
        sub.request(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 5);
        sub.cancel();
    }

    @Test
    void completeDeliversWhatWasSignalledThenCompletesWithoutFurtherDemand() throws Exception {
        UserEvents events = UserEvents.create("finish");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(loop, events).subscribe(sub);
        events.signal(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        events.complete();
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(sub.items).containsExactly(2L);
        assertThat(events.isOpen()).isFalse();
        assertThatThrownBy(events::signal).isInstanceOf(ClosedFdException.class).hasMessageContaining("closed");
    }

    @Test
    void completeWithPendingCountWaitsForDemandToDeliverItFirst() throws Exception {
        UserEvents events = UserEvents.create("pending");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(0);
        new SourcePublisher<>(loop, events).subscribe(sub);
        events.signal(9);
        events.complete();
        onLoop(() -> null);
        onLoop(() -> null);
        assertThat(sub.done).isNotDone();
        sub.request(1);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(sub.items).containsExactly(9L);
    }

    @Test
    void aSecondSubscriberIsRefusedWithAClearError() throws Exception {
        UserEvents events = UserEvents.create("single");
        RecordingSubscriber<Long> first = new RecordingSubscriber<>(1);
        RecordingSubscriber<Long> second = new RecordingSubscriber<>(1);
        SourcePublisher<Long> publisher = new SourcePublisher<>(loop, events);
        publisher.subscribe(first);
        publisher.subscribe(second);
        assertThatThrownBy(() -> second.done.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("serve one subscriber");
        events.signal();
        await().atMost(Duration.ofSeconds(5)).until(() -> first.items.size() == 1);
        first.cancel();
    }

    @Test
    void cancelClosesTheEventfdAndSignalsAreThenRefused() throws Exception {
        java.util.Map<Integer, String> before = OpenFds.snapshot();
        UserEvents events = UserEvents.create("cancel");
        assertThat(OpenFds.countAnonSince(before, "eventfd")).isEqualTo(1);
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        new SourcePublisher<>(loop, events).subscribe(sub);
        events.signal();
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        sub.cancel();
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "eventfd") == 0);
        assertThat(events.isOpen()).isFalse();
        assertThatThrownBy(() -> events.signal(1)).isInstanceOf(ClosedFdException.class);
        assertThat(sub.done).isNotDone();
    }

    @Test
    void aSubscriptionCancelledBeforeTheLoopOpenedItStillClosesTheEventfd() throws Exception {
        java.util.Map<Integer, String> before = OpenFds.snapshot();
        UserEvents events = UserEvents.create("cancelled-early");
        new SourcePublisher<>(loop, events).subscribe(new java.util.concurrent.Flow.Subscriber<Long>() {
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) { s.cancel(); }
            public void onNext(Long item) { }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !events.isOpen());
        assertThat(OpenFds.countAnonSince(before, "eventfd")).isZero();
    }

    @Test
    void closeReleasesAnEventfdNobodySubscribedTo() throws Exception {
        java.util.Map<Integer, String> before = OpenFds.snapshot();
        UserEvents events = UserEvents.create("unused");
        events.signal(3);
        events.close();
        assertThat(OpenFds.countAnonSince(before, "eventfd")).isZero();
        RecordingSubscriber<Long> late = new RecordingSubscriber<>(1);
        new SourcePublisher<>(loop, events).subscribe(late);
        assertThatThrownBy(() -> late.done.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void badSignalCountsAreRefused() throws Exception {
        try (UserEvents events = UserEvents.create("bad")) {
            assertThatThrownBy(() -> events.signal(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n >= 1");
            assertThatThrownBy(() -> events.signal(-5)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFullCounterRefusesTheSignalInsteadOfLosingIt() throws Exception {
        UserEvents events = UserEvents.create("full");
        assertThat(events.signal(Long.MAX_VALUE - 1)).isTrue();
        assertThat(events.signal(1)).isTrue();
        // Long.MAX_VALUE is the most the counter holds: one more unit would overflow it.
        assertThat(events.signal(1)).isFalse();
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(loop, events).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        assertThat(sub.items).containsExactly(Long.MAX_VALUE);
        assertThat(events.signal(1)).isTrue();
        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        assertThat(sub.items).containsExactly(Long.MAX_VALUE, 1L);
        sub.cancel();
    }

    @Test
    void onlyTheSignalThatFindsTheCounterEmptyRingsTheDoorbell() throws Exception {
        UserEvents events = UserEvents.create("doorbell");
        RecordingSubscriber<Long> sub = new RecordingSubscriber<>(0);
        new SourcePublisher<>(loop, events).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(loop::registrationCount) == 1);
        long turns = loop.turns();
        for (int i = 0; i < 100_000; i++) {
            events.signal();
        }
        onLoop(() -> null);
        // One ring for 100,000 signals: the loop woke for it (and for the task above), not per signal.
        assertThat(loop.turns() - turns).isLessThan(10);
        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        assertThat(sub.items).containsExactly(100_000L);
        sub.cancel();
    }

    @Test
    void concurrentSignallersLoseNothingAgainstASubscriberRequestingOneAtATime() throws Exception {
        UserEvents events = UserEvents.create("many-writers");
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        new SourcePublisher<>(loop, events).subscribe(new java.util.concurrent.Flow.Subscriber<Long>() {
            private java.util.concurrent.Flow.Subscription s;
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) { this.s = s; s.request(1); }
            public void onNext(Long n) { received.addAndGet(n); s.request(1); }
            public void onError(Throwable t) { done.completeExceptionally(t); }
            public void onComplete() { done.complete(null); }
        });
        int threads = 4;
        int perThread = 200_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<?>> writers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        events.signal();
                    }
                }));
            }
            for (java.util.concurrent.Future<?> w : writers) {
                w.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        events.complete();
        done.get(10, TimeUnit.SECONDS);
        assertThat(received.get()).isEqualTo((long) threads * perThread);
    }
}
