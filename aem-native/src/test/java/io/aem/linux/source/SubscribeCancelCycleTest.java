package io.aem.linux.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.event.KernelTimer;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.ProtocolCheckingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten thousand subscribe/cancel cycles leak nothing: not an fd, not a registration, not a
 * tracked stream. The cycles mix the moments a cancel can arrive: in {@code onSubscribe}
 * (before the loop ever sees the subscription), right after {@code subscribe} returned (racing
 * the open on the loop), after {@code request}, and after the first element.
 */
@ExtendWith(FdLeakCheck.class)
class SubscribeCancelCycleTest {
    private static final int CYCLES = 10_000;
    /** Cycles between two waits for the loop, so the test thread cannot run far ahead of it. */
    private static final int BATCH = 250;

    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("subscribe-cancel-cycles");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    @Test
    void timerCyclesLeakNothing() throws Exception {
        Map<Integer, String> timerfds = OpenFds.snapshot();
        SourcePublisher<TimerTick> publisher =
                new SourcePublisher<>(loop, new KernelTimer(TimerSpec.every(Duration.ofNanos(100_000))));
        List<Cycle> batch = new ArrayList<>();
        for (int i = 0; i < CYCLES; i++) {
            batch.add(cycle(publisher, i));
            if (batch.size() == BATCH) {
                settle(batch);
            }
        }
        settle(batch);
        assertThat(LoopProbe.registrationCount(loop)).as("live registrations").isZero();
        assertThat(loop.streams()).as("tracked streams").isEmpty();
        assertThat(OpenFds.countAnonSince(timerfds, "timerfd")).as("timerfds open").isZero();
    }

    @Test
    void userEventCyclesLeakNothing() throws Exception {
        Map<Integer, String> eventfds = OpenFds.snapshot();
        List<Cycle> batch = new ArrayList<>();
        List<UserEvents> sources = new ArrayList<>();
        for (int i = 0; i < CYCLES; i++) {
            // Never closed here: ending its one subscription, however early, must close the eventfd.
            UserEvents events = i % 2 == 0 ? UserEvents.create("cycle-" + i) : UserEvents.createSemaphore("cycle-" + i);
            events.signal(3);
            sources.add(events);
            batch.add(cycle(new SourcePublisher<>(loop, events), i));
            if (batch.size() == BATCH) {
                settle(batch);
                for (UserEvents s : sources) {
                    assertThat(s.isOpen()).as("eventfd of %s closed when its subscription ended", s.name()).isFalse();
                }
                sources.clear();
            }
        }
        settle(batch);
        assertThat(sources).allSatisfy(s -> assertThat(s.isOpen()).as("eventfd of %s closed", s.name()).isFalse());
        assertThat(LoopProbe.registrationCount(loop)).as("live registrations").isZero();
        assertThat(loop.streams()).as("tracked streams").isEmpty();
        assertThat(OpenFds.countAnonSince(eventfds, "eventfd")).as("eventfds open").isZero();
    }

    /** One subscription and the most elements it may receive before its cancel takes effect. */
    private record Cycle(int number, ProtocolCheckingSubscriber<?> subscriber, long maxElements) {
    }

    /** Subscribes and cancels at one of four moments, chosen by the cycle number. */
    private static <T> Cycle cycle(Flow.Publisher<T> publisher, int i) throws InterruptedException {
        switch (i % 4) {
            case 0 -> {
                ProtocolCheckingSubscriber<T> subscriber = new ProtocolCheckingSubscriber<T>(loop.thread()).cancelInOnSubscribe();
                publisher.subscribe(subscriber);
                return new Cycle(i, subscriber, 0);
            }
            case 1 -> {
                ProtocolCheckingSubscriber<T> subscriber = new ProtocolCheckingSubscriber<>(loop.thread());
                publisher.subscribe(subscriber);
                subscriber.subscription().cancel();
                return new Cycle(i, subscriber, 0);
            }
            case 2 -> {
                ProtocolCheckingSubscriber<T> subscriber = new ProtocolCheckingSubscriber<>(loop.thread());
                publisher.subscribe(subscriber);
                long n = 1 + i % 5;
                subscriber.subscription().request(n);
                subscriber.subscription().cancel();
                return new Cycle(i, subscriber, n);
            }
            default -> {
                ProtocolCheckingSubscriber<T> subscriber = new ProtocolCheckingSubscriber<T>(loop.thread()).cancelInOnNextAfter(1);
                publisher.subscribe(subscriber);
                subscriber.subscription().request(2);
                Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                        .pollInSameThread().until(() -> subscriber.received() > 0);
                assertThat(subscriber.received()).as("cycle %d: first element within 5 s", i).isEqualTo(1);
                return new Cycle(i, subscriber, 1);
            }
        }
    }

    /** Waits for the loop to have run every cancel so far, then checks the subscribers saw nothing wrong. */
    private static void settle(List<Cycle> batch) {
        LoopProbe.drainTasks(loop);
        for (Cycle cycle : batch) {
            ProtocolCheckingSubscriber<?> subscriber = cycle.subscriber();
            assertThat(subscriber.violation()).as("cycle %d: signal rule broken", cycle.number()).isNull();
            assertThat(subscriber.terminated()).as("cycle %d: terminal signal after a cancel: %s", cycle.number(),
                    subscriber.error()).isFalse();
            assertThat(subscriber.received()).as("cycle %d: elements received, at most the demand before the cancel",
                    cycle.number()).isLessThanOrEqualTo(cycle.maxElements());
        }
        batch.clear();
    }
}
