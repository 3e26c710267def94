package io.aem.linux.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.ProtocolCheckingSubscriber;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a {@link UserEvents} stream ends: completion after the pending counts, and the eventfd
 * closed by the end of its one subscription however early that end comes.
 */
@ExtendWith(FdLeakCheck.class)
class UserEventsLifecycleTest {
    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("user-events-lifecycle");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    @Test
    void completesAfterThePendingUnitsWhenDemandEndsOnTheLast() throws Exception {
        UserEvents events = UserEvents.createSemaphore("complete-exact-demand");
        events.signal(3);
        events.complete();
        ProtocolCheckingSubscriber<Long> subscriber = new ProtocolCheckingSubscriber<>(loop.thread());
        new SourcePublisher<>(loop, events).subscribe(subscriber);
        for (int i = 1; i <= 3; i++) {
            subscriber.subscription().request(1);
            int expected = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.received() == expected);
        }
        // No more demand: the empty counter is the end of the stream, signalled without a request.
        await().atMost(Duration.ofSeconds(5)).until(subscriber::completed);
        assertThat(subscriber.received()).isEqualTo(3);
        assertThat(subscriber.violation()).isNull();
        assertThat(events.isOpen()).isFalse();
    }

    @Test
    void completesAfterThePendingSumWhenCompletedDuringTheStream() throws Exception {
        UserEvents events = UserEvents.create("complete-while-live");
        ProtocolCheckingSubscriber<Long> subscriber = new ProtocolCheckingSubscriber<>(loop.thread());
        new SourcePublisher<>(loop, events).subscribe(subscriber);
        subscriber.subscription().request(1);
        events.signal(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.received() == 1);
        events.signal(2);
        events.complete();
        assertThat(subscriber.completed()).as("the pending count comes first").isFalse();
        subscriber.subscription().request(1);
        await().atMost(Duration.ofSeconds(5)).until(subscriber::completed);
        assertThat(subscriber.received()).isEqualTo(2);
        assertThat(events.isOpen()).isFalse();
    }

    @Test
    void cancelInOnSubscribeClosesTheEventfd() throws Exception {
        UserEvents events = UserEvents.create("cancel-in-onSubscribe");
        ProtocolCheckingSubscriber<Long> subscriber = new ProtocolCheckingSubscriber<Long>(loop.thread()).cancelInOnSubscribe();
        new SourcePublisher<>(loop, events).subscribe(subscriber);
        LoopProbe.drainTasks(loop);
        assertThat(events.isOpen()).as("eventfd closed by the end of its only subscription").isFalse();
        assertThat(subscriber.terminated()).isFalse();
        ProtocolCheckingSubscriber<Long> second = new ProtocolCheckingSubscriber<>(loop.thread());
        new SourcePublisher<>(loop, events).subscribe(second);
        await().atMost(Duration.ofSeconds(5)).until(second::terminated);
        assertThat(second.error()).as("a served UserEvents serves no one else").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void subscribingOnAClosedLoopClosesTheEventfd() throws Exception {
        EventLoop closed = EventLoop.open("user-events-closed-loop");
        closed.close();
        UserEvents events = UserEvents.create("closed-loop");
        ProtocolCheckingSubscriber<Long> subscriber = new ProtocolCheckingSubscriber<>(Thread.currentThread());
        new SourcePublisher<>(closed, events).subscribe(subscriber);
        assertThat(subscriber.error()).isInstanceOf(EventLoopClosedException.class);
        assertThat(events.isOpen()).isFalse();
    }
}
