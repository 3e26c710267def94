package io.aem.linux.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.ClosedFdException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code request} from many threads racing {@code cancel} on {@link SourcePublisher}
 * subscriptions, over user events and periodic timers: the demand accounting, the hand-over of
 * resumes to the loop and the release of the fd must hold whatever the interleaving.
 *
 * <p>Each round subscribes once, then {@value #REQUESTERS} threads call {@code request(1..8)}
 * {@value #REQUESTS_PER_THREAD} times each while one more thread cancels after a random spin (or,
 * one round in three, the subscriber cancels itself inside {@code onNext}). Every round checks the
 * rules a subscriber can observe: signals serial and on the loop thread, never more elements than
 * requested, no terminal signal after a cancel, nothing delivered once the cancel has reached the
 * loop, and the fd closed. After all rounds the loop has no registration and no stream left, the
 * eventfd and timerfd counts are back where they started and the loop still serves a new
 * subscription.
 */
@ExtendWith(FdLeakCheck.class)
class RequestCancelRaceTest {
    private static final int ROUNDS = 300;
    private static final int REQUESTERS = 8;
    private static final int REQUESTS_PER_THREAD = 25;
    private static final long MAX_REQUEST = 8;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(10);

    private static EventLoop loop;
    private static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("request-cancel-race");
        pool = Executors.newFixedThreadPool(REQUESTERS + 2, r -> {
            Thread t = new Thread(r, "race-driver");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("driver threads stopped").isTrue();
        loop.close();
    }

    @Test
    void userEventsSurviveRequestCancelRaces() throws Exception {
        java.util.Map<Integer, String> before = OpenFds.snapshot();
        for (int round = 0; round < ROUNDS; round++) {
            UserEvents events = UserEvents.createSemaphore("race-" + round);
            // More units than can ever be requested: demand, not data, limits every delivery.
            events.signal(REQUESTERS * REQUESTS_PER_THREAD * MAX_REQUEST + 1);
            ProtocolCheckingSubscriber<Long> subscriber = newSubscriber(round);
            new SourcePublisher<>(loop, events).subscribe(subscriber);

            AtomicBoolean stopSignalling = new AtomicBoolean();
            Future<?> signaller = pool.submit(() -> {
                // Writes racing the close of the eventfd: each either lands or is refused, never reaches a reused fd.
                while (!stopSignalling.get()) {
                    try {
                        events.signal();
                    } catch (ClosedFdException closed) {
                        return;
                    }
                }
            });
            race(round, subscriber);
            stopSignalling.set(true);
            signaller.get(ROUND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            assertThat(events.isOpen()).as("round %d: eventfd closed by the cancel", round).isFalse();
        }
        assertLoopClean();
        assertThat(OpenFds.countAnonSince(before, "eventfd")).as("eventfds left open by the rounds").isZero();
        assertLoopStillServes();
    }

    @Test
    void periodicTimersSurviveRequestCancelRaces() throws Exception {
        java.util.Map<Integer, String> before = OpenFds.snapshot();
        // A fast period keeps the fd ready through the race, so reads interleave with requests and the cancel.
        KernelTimer timer = new KernelTimer(TimerSpec.every(Duration.ofNanos(50_000)));
        SourcePublisher<TimerTick> publisher = new SourcePublisher<>(loop, timer);
        for (int round = 0; round < ROUNDS; round++) {
            ProtocolCheckingSubscriber<TimerTick> subscriber = newSubscriber(round);
            publisher.subscribe(subscriber);
            race(round, subscriber);
        }
        assertLoopClean();
        assertThat(OpenFds.countAnonSince(before, "timerfd")).as("timerfds left open by the rounds").isZero();
        assertLoopStillServes();
    }

    /** One round in three the subscriber cancels itself from {@code onNext}, on the loop thread. */
    private static <T> ProtocolCheckingSubscriber<T> newSubscriber(int round) {
        ProtocolCheckingSubscriber<T> subscriber = new ProtocolCheckingSubscriber<>(loop.thread());
        if (round % 3 == 2) {
            subscriber.cancelInOnNextAfter(1 + round % 7);
        }
        return subscriber;
    }

    private static void race(int round, ProtocolCheckingSubscriber<?> subscriber) throws Exception {
        Flow.Subscription subscription = subscriber.subscription();
        assertThat(subscription).as("round %d: onSubscribe ran during subscribe", round).isNotNull();
        boolean selfCancelling = round % 3 == 2;
        CyclicBarrier go = new CyclicBarrier(REQUESTERS + (selfCancelling ? 0 : 1));
        AtomicLong requested = new AtomicLong();
        List<Future<?>> drivers = new ArrayList<>();
        for (int i = 0; i < REQUESTERS; i++) {
            drivers.add(pool.submit(() -> {
                go.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int k = 0; k < REQUESTS_PER_THREAD; k++) {
                    long n = random.nextLong(1, MAX_REQUEST + 1);
                    requested.addAndGet(n);
                    subscription.request(n);
                    if (random.nextInt(4) == 0) {
                        Thread.yield();
                    }
                }
                return null;
            }));
        }
        if (!selfCancelling) {
            drivers.add(pool.submit(() -> {
                go.await();
                int spins = ThreadLocalRandom.current().nextInt(20_000);
                for (int i = 0; i < spins; i++) {
                    Thread.onSpinWait();
                }
                subscription.cancel();
                return null;
            }));
        }
        for (Future<?> driver : drivers) {
            driver.get(ROUND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        if (selfCancelling) {
            // The requests add up to at least REQUESTERS * REQUESTS_PER_THREAD elements, more than the cancel needs.
            long needed = 1 + round % 7;
            Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(ROUND_TIMEOUT)
                    .pollInSameThread().until(() -> subscriber.received() >= needed);
        }
        // The cancel's release was handed to the loop before this task: once it ran, the stream is over.
        LoopProbe.drainTasks(loop);
        long delivered = subscriber.received();
        LoopProbe.drainTasks(loop);

        assertThat(subscriber.violation()).as("round %d: signal rule broken", round).isNull();
        assertThat(subscriber.error()).as("round %d: no onError after a plain cancel", round).isNull();
        assertThat(subscriber.completed()).as("round %d: no onComplete after a cancel", round).isFalse();
        assertThat(delivered).as("round %d: delivered at most what was requested (rule 1.1)", round)
                .isLessThanOrEqualTo(requested.get());
        if (selfCancelling) {
            assertThat(delivered).as("round %d: onNext stopped at the cancel made inside it", round).isEqualTo(1 + round % 7);
        }
        assertThat(subscriber.received()).as("round %d: nothing delivered after the cancel reached the loop", round)
                .isEqualTo(delivered);
    }

    private static void assertLoopClean() {
        assertThat(LoopProbe.registrationCount(loop)).as("live registrations after every stream was cancelled").isZero();
        assertThat(loop.streams()).as("streams tracked after every stream was cancelled").isEmpty();
    }

    private static void assertLoopStillServes() throws Exception {
        CompletableFuture<Long> expirations = new CompletableFuture<>();
        new SourcePublisher<>(loop, new KernelTimer(TimerSpec.after(Duration.ofMillis(1)))).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(TimerTick tick) {
                expirations.complete(tick.expirations());
            }

            @Override
            public void onError(Throwable t) {
                expirations.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                expirations.completeExceptionally(new AssertionError("completed without a tick"));
            }
        });
        assertThat(expirations.get(5, TimeUnit.SECONDS)).as("a new subscription after the races ticks").isEqualTo(1);
    }
}
