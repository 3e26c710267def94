package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.OwnedFd;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@ExtendWith(FdLeakCheck.class)
class AemFluxTest {
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(2);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @Test
    void requestIsRegistrationDemandAndTicksCoalesceWhileThereIsNone() {
        StepVerifier.create(aem.timer(TimerSpec.every(Duration.ofMillis(2))), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .thenRequest(1)
                .assertNext(tick -> assertThat(tick.expirations()).isGreaterThanOrEqualTo(40))
                .thenRequest(2)
                .expectNextCount(2)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void userEventsArriveSummedOnTheLoopThreadAndCancelClosesTheEventfd() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        UserEvents events = UserEvents.create("flux");
        AtomicReference<Thread> thread = new AtomicReference<>();
        StepVerifier.create(aem.userEvents(events).doOnNext(n -> thread.set(Thread.currentThread())), 0)
                .then(() -> {
                    events.signal(4);
                    events.signal(6);
                })
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(1)
                .expectNext(10L)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(thread.get()).isInstanceOf(NonBlockingLoopThread.class);
        assertThat(thread.get().getName()).startsWith("aem-");
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "eventfd") == 0);
    }

    @Test
    void takeCancelsUpstreamAndClosesTheTimerfd() {
        Map<Integer, String> before = OpenFds.snapshot();
        List<TimerTick> ticks = aem.timer(TimerSpec.every(Duration.ofMillis(1))).take(5).collectList().block(Duration.ofSeconds(5));
        assertThat(ticks).hasSize(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "timerfd") == 0);
    }

    @Test
    void aOneShotTimerIsAMono() {
        StepVerifier.create(aem.delay(Duration.ofMillis(10)))
                .expectNext(new TimerTick(1, false))
                .verifyComplete();
    }

    @Test
    void blockingOnTheLoopThreadFailsFastInsteadOfStallingTheLoop() {
        StepVerifier.create(aem.timer(TimerSpec.after(Duration.ofMillis(1))).map(t -> Mono.just(t).hide().block()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("block"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(aem.delay(Duration.ofMillis(1)))
                .expectNextCount(1)
                .verifyComplete();
    }

    @Test
    void theSubscriberContextIsVisibleToTheSource() {
        UserEvents events;
        try {
            events = UserEvents.create("ctx");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Flux<String> tagged = aem.flux(new ContextTaggingSource(events));
        StepVerifier.create(tagged.contextWrite(c -> c.put("tenant", "blue")))
                .then(events::signal)
                .expectNext("blue:1")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void publishOnMovesWorkOffTheLoopWithBoundedPrefetch() {
        List<TimerTick> ticks = aem.timer(TimerSpec.every(Duration.ofMillis(1)))
                .publishOn(Schedulers.boundedElastic(), 2)
                .map(t -> Mono.just(t).hide().block())
                .take(10)
                .collectList()
                .block(Duration.ofSeconds(5));
        assertThat(ticks).hasSize(10);
    }

    @Test
    void scanningReportsTheSourceAndDemand() {
        Flux<TimerTick> timer = aem.timer(TimerSpec.every(Duration.ofSeconds(1)));
        assertThat(Scannable.from(timer).name()).contains("timerfd MONOTONIC");
        AtomicReference<Scannable> subscription = new AtomicReference<>();
        StepVerifier.create(timer, 0)
                .consumeSubscriptionWith(s -> subscription.set(Scannable.from(s)))
                .thenRequest(3)
                .then(() -> {
                    Scannable scan = subscription.get();
                    assertThat(scan.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(3L);
                    assertThat(scan.scan(Scannable.Attr.CANCELLED)).isFalse();
                    assertThat(scan.scan(Scannable.Attr.ACTUAL)).isNotNull();
                })
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(subscription.get().scan(Scannable.Attr.CANCELLED)).isTrue();
    }

    @Test
    void closingAemEndsLiveStreamsWithATypedSignal() {
        Aem local = Aem.create(List.of(EventLoopOptions.defaults().withName("closing")));
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        local.timer(TimerSpec.every(Duration.ofMillis(5))).subscribe(t -> { }, error::complete);
        await().atMost(Duration.ofSeconds(5)).until(() -> local.loops().get(0).streams().size() == 1);
        local.close();
        assertThat(local.isDisposed()).isTrue();
        assertThat(error.join()).isInstanceOf(EventLoopClosedException.class).hasMessageContaining("'closing'");
        StepVerifier.create(local.delay(Duration.ofMillis(1)))
                .expectError(EventLoopClosedException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void badArgumentsFailAtAssembly() {
        assertThatThrownBy(() -> Aem.create(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aem.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        Aem other = Aem.create(List.of(EventLoopOptions.defaults().withName("other")));
        try {
            assertThatThrownBy(() -> aem.flux(new ContextTaggingSource(null), other.loops().get(0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        } finally {
            other.close();
        }
    }

    /** Decorates user events with a value read from the subscriber's Reactor context. */
    private static final class ContextTaggingSource implements EventSource<String> {
        private final UserEvents events;

        ContextTaggingSource(UserEvents events) {
            this.events = events;
        }

        @Override
        public String name() {
            return "tagged " + (events == null ? "nothing" : events.name());
        }

        @Override
        public OwnedFd open(SourceContext context) {
            return events.open(context);
        }

        @Override
        public int batchSize() {
            return events.batchSize();
        }

        @Override
        public int read(OwnedFd fd, ReadBuffer buffer) throws IOException {
            return events.read(fd, buffer);
        }

        @Override
        public String decode(ByteBuffer batch, SourceContext context) {
            return context.subscriberContext("tenant").orElse("none") + ":" + events.decode(batch, context);
        }
    }
}
