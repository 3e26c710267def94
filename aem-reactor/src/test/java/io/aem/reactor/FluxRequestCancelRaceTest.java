package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.ClosedFdException;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

/**
 * The {@code Flux} face under {@code request}/{@code cancel} races: {@value #REQUESTERS} threads
 * request while another cancels, a few hundred times over {@link Aem#userEvents} and
 * {@link Aem#timer}; then thousands of subscribe/dispose cycles through Reactor operators. Nothing
 * may be delivered beyond demand or after the cancel reached the loop, no stream may end with a
 * signal after a cancel, and afterwards the loop holds no registration, no stream and no fd, and
 * still serves a new subscription.
 */
@ExtendWith(FdLeakCheck.class)
class FluxRequestCancelRaceTest {
    private static final int ROUNDS = 200;
    private static final int REQUESTERS = 8;
    private static final int REQUESTS_PER_THREAD = 25;
    private static final long MAX_REQUEST = 8;
    private static final int DISPOSE_CYCLES = 3_000;

    private static Aem aem;
    private static EventLoop loop;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        aem = Aem.create();
        loop = aem.loops().get(0);
        pool = Executors.newFixedThreadPool(REQUESTERS + 2, r -> {
            Thread t = new Thread(r, "flux-race-driver");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("driver threads stopped").isTrue();
        aem.close();
    }

    @Test
    void userEventFluxesSurviveRequestCancelRaces() throws Exception {
        Map<Integer, String> eventfds = OpenFds.snapshot();
        for (int round = 0; round < ROUNDS; round++) {
            UserEvents events = UserEvents.createSemaphore("flux-race-" + round);
            events.signal(REQUESTERS * REQUESTS_PER_THREAD * MAX_REQUEST + 1);
            Recorder<Long> recorder = new Recorder<>();
            aem.userEvents(events).subscribe(recorder);
            AtomicBoolean stop = new AtomicBoolean();
            Future<?> signaller = pool.submit(() -> {
                while (!stop.get()) {
                    try {
                        events.signal();
                    } catch (ClosedFdException closed) {
                        return;
                    }
                }
            });
            race(round, recorder);
            stop.set(true);
            signaller.get(10, TimeUnit.SECONDS);
            assertThat(events.isOpen()).as("round %d: eventfd closed by the cancel", round).isFalse();
        }
        assertLoopClean();
        assertThat(OpenFds.countAnonSince(eventfds, "eventfd")).as("eventfds open").isZero();
        assertThat(aem.delay(Duration.ofMillis(1)).block(Duration.ofSeconds(5))).as("a new subscription is served").isNotNull();
    }

    @Test
    void timerFluxesSurviveRequestCancelRaces() throws Exception {
        Map<Integer, String> timerfds = OpenFds.snapshot();
        Flux<TimerTick> ticks = aem.timer(TimerSpec.every(Duration.ofNanos(50_000)));
        for (int round = 0; round < ROUNDS; round++) {
            Recorder<TimerTick> recorder = new Recorder<>();
            ticks.subscribe(recorder);
            race(round, recorder);
        }
        assertLoopClean();
        assertThat(OpenFds.countAnonSince(timerfds, "timerfd")).as("timerfds open").isZero();
        assertThat(aem.delay(Duration.ofMillis(1)).block(Duration.ofSeconds(5))).as("a new subscription is served").isNotNull();
    }

    @Test
    void subscribeDisposeCyclesThroughOperatorsLeakNothing() throws Exception {
        Map<Integer, String> timerfds = OpenFds.snapshot();
        Map<Integer, String> eventfds = OpenFds.snapshot();
        Flux<TimerTick> ticks = aem.timer(TimerSpec.every(Duration.ofNanos(100_000)));
        List<UserEvents> sources = new ArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        for (int i = 0; i < DISPOSE_CYCLES; i++) {
            switch (i % 4) {
                // Disposed at once: the cancel races the open on the loop.
                case 0 -> ticks.subscribe(t -> { }, e -> errors.incrementAndGet()).dispose();
                // take(1) cancels from inside onNext, on the loop thread, then completes downstream.
                case 1 -> assertThat(ticks.take(1).blockLast(Duration.ofSeconds(5))).isNotNull();
                // limitRate keeps re-requesting upstream; dispose lands between two batches.
                case 2 -> {
                    Disposable d = ticks.limitRate(2).subscribe(t -> { }, e -> errors.incrementAndGet());
                    Thread.onSpinWait();
                    d.dispose();
                }
                default -> {
                    UserEvents events = UserEvents.createSemaphore("flux-cycle-" + i);
                    events.signal(2);
                    sources.add(events);
                    aem.userEvents(events).subscribe(n -> { }, e -> errors.incrementAndGet()).dispose();
                }
            }
            if (i % 250 == 249) {
                LoopProbe.drainTasks(loop);
            }
        }
        LoopProbe.drainTasks(loop);
        assertThat(errors).as("errors after dispose").hasValue(0);
        assertThat(sources).allSatisfy(s -> assertThat(s.isOpen()).as("eventfd of %s closed by its dispose", s.name()).isFalse());
        assertLoopClean();
        assertThat(OpenFds.countAnonSince(timerfds, "timerfd")).as("timerfds open").isZero();
        assertThat(OpenFds.countAnonSince(eventfds, "eventfd")).as("eventfds open").isZero();
    }

    private static void race(int round, Recorder<?> recorder) throws Exception {
        CyclicBarrier go = new CyclicBarrier(REQUESTERS + 1);
        AtomicLong requested = new AtomicLong();
        List<Future<?>> drivers = new ArrayList<>();
        for (int i = 0; i < REQUESTERS; i++) {
            drivers.add(pool.submit(() -> {
                go.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int k = 0; k < REQUESTS_PER_THREAD; k++) {
                    long n = random.nextLong(1, MAX_REQUEST + 1);
                    requested.addAndGet(n);
                    recorder.request(n);
                    if (random.nextInt(4) == 0) {
                        Thread.yield();
                    }
                }
                return null;
            }));
        }
        drivers.add(pool.submit(() -> {
            go.await();
            int spins = ThreadLocalRandom.current().nextInt(20_000);
            for (int i = 0; i < spins; i++) {
                Thread.onSpinWait();
            }
            recorder.cancel();
            return null;
        }));
        for (Future<?> driver : drivers) {
            driver.get(10, TimeUnit.SECONDS);
        }
        LoopProbe.drainTasks(loop);
        long delivered = recorder.received.get();
        LoopProbe.drainTasks(loop);

        assertThat(recorder.violation.get()).as("round %d: signal rule broken", round).isNull();
        assertThat(recorder.finally_.get()).as("round %d: the stream ended by cancel only", round).isEqualTo(SignalType.CANCEL);
        assertThat(delivered).as("round %d: delivered at most what was requested", round).isLessThanOrEqualTo(requested.get());
        assertThat(recorder.received.get()).as("round %d: nothing delivered after the cancel reached the loop", round)
                .isEqualTo(delivered);
    }

    private static void assertLoopClean() {
        assertThat(LoopProbe.registrationCount(loop)).as("live registrations").isZero();
        assertThat(loop.streams()).as("tracked streams").isEmpty();
    }

    /** Requests nothing by itself; records what arrives and how the stream ended. */
    private static final class Recorder<T> extends BaseSubscriber<T> {
        final AtomicLong received = new AtomicLong();
        final AtomicInteger inOnNext = new AtomicInteger();
        final AtomicReference<String> violation = new AtomicReference<>();
        final AtomicReference<SignalType> finally_ = new AtomicReference<>();

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // demand comes from the racing threads only
        }

        @Override
        protected void hookOnNext(T value) {
            if (inOnNext.getAndIncrement() != 0) {
                violation.compareAndSet(null, "overlapping onNext");
            }
            if (!(Thread.currentThread() instanceof NonBlockingLoopThread)) {
                violation.compareAndSet(null, "onNext on " + Thread.currentThread().getName());
            }
            received.incrementAndGet();
            inOnNext.decrementAndGet();
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            violation.compareAndSet(null, "onError(" + throwable + ")");
        }

        @Override
        protected void hookOnComplete() {
            violation.compareAndSet(null, "onComplete");
        }

        @Override
        protected void hookFinally(SignalType type) {
            if (!finally_.compareAndSet(null, type)) {
                violation.compareAndSet(null, "second end: " + type);
            }
        }
    }
}
