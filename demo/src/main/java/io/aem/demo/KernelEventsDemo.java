package io.aem.demo;

import io.aem.linux.KernelException;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.reactor.Aem;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

/**
 * Subscribes to a periodic kernel timer and to user events, and signals the user events from a
 * scheduled task; logs what arrives, and the stream counters of every loop.
 *
 * <p>Events are delivered, and logged, on the loop thread ({@code aem-1}); the signals are written
 * from the task scheduler's threads. At shutdown the user events are completed first, so every
 * signal sent is received before the counts are compared in the last log line.
 */
@Component
public class KernelEventsDemo implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(KernelEventsDemo.class);

    /** Signals written per run of the task: the subscriber sees them summed into one count or a few. */
    private static final int SIGNALS_PER_RUN = 3;

    private final ObjectProvider<Aem> aemProvider;
    private final DemoProperties properties;
    private final TaskScheduler scheduler;
    private final Object signalLock = new Object();

    private final AtomicLong timerTicks = new AtomicLong();
    private final AtomicLong timerExpirations = new AtomicLong();
    private final AtomicLong userEventDeliveries = new AtomicLong();
    private final AtomicLong userEventsReceived = new AtomicLong();
    private final AtomicLong signalsSent = new AtomicLong();

    private volatile boolean running;
    private @Nullable Aem aem;
    private @Nullable UserEvents userEvents;
    private @Nullable CompletableFuture<Void> userEventsDone;
    private @Nullable Disposable timerSubscription;
    private @Nullable Disposable userEventsSubscription;
    private @Nullable ScheduledFuture<?> signalTask;
    private @Nullable ScheduledFuture<?> statsTask;

    /**
     * Creates the component; nothing is subscribed before {@link #start()}.
     *
     * @param aem        the entry point of the starter
     * @param properties the demo's periods
     * @param scheduler  runs the task that signals the user events and the one that logs counters
     */
    public KernelEventsDemo(ObjectProvider<Aem> aem, DemoProperties properties, TaskScheduler scheduler) {
        this.aemProvider = aem;
        this.properties = properties;
        this.scheduler = scheduler;
    }

    /** Subscribes to the timer and the user events and starts signalling; on the caller's thread. */
    @Override
    public void start() {
        Aem aem = this.aemProvider.getIfAvailable();
        if (aem == null) {
            throw new IllegalStateException("No Aem bean: AEM needs Linux and aem.enabled=true (see the conditions"
                    + " report, --debug, for why its auto-configuration did not apply)");
        }
        this.aem = aem;
        UserEvents events;
        try {
            events = UserEvents.create("demo");
        } catch (KernelException ex) {
            throw new UncheckedIOException(ex.getMessage(), ex);
        }
        this.userEvents = events;
        CompletableFuture<Void> done = new CompletableFuture<>();
        this.userEventsDone = done;

        Duration timerPeriod = this.properties.getTimerPeriod();
        this.timerSubscription = aem.timer(TimerSpec.every(timerPeriod))
            .subscribe(this::onTick, (ex) -> logger.error("Timer stream failed", ex));
        this.userEventsSubscription = aem.userEvents(events)
            .subscribe(this::onUserEvents, (ex) -> {
                logger.error("User events stream failed", ex);
                done.complete(null);
            }, () -> done.complete(null));

        this.running = true;
        this.signalTask = this.scheduler.scheduleAtFixedRate(this::signal, this.properties.getSignalPeriod());
        Duration statsPeriod = this.properties.getStatsPeriod();
        this.statsTask = this.scheduler.scheduleAtFixedRate(this::logStats, Instant.now().plus(statsPeriod),
                statsPeriod);
        logger.info("Kernel timer every {} and user events every {} on loops {}", timerPeriod,
                this.properties.getSignalPeriod(), aem.loops());
    }

    /** Completes the user events, waits for the last count, and cancels the timer stream. */
    @Override
    public void stop() {
        synchronized (this.signalLock) {
            this.running = false;
        }
        cancel(this.signalTask);
        cancel(this.statsTask);
        UserEvents events = this.userEvents;
        CompletableFuture<Void> done = this.userEventsDone;
        if (events != null && done != null) {
            events.complete();
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException ex) {
                logger.warn("User events did not complete within 5 s");
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (Exception ex) {
                // reported by the stream's error handler
            }
        }
        logStats();
        dispose(this.userEventsSubscription);
        dispose(this.timerSubscription);
        if (events != null) {
            events.close();
        }
        logger.info("Stopped: {} timer ticks ({} expirations), {} user events received of {} signalled",
                this.timerTicks.get(), this.timerExpirations.get(), this.userEventsReceived.get(),
                this.signalsSent.get());
    }

    /** Whether {@link #start()} ran and {@link #stop()} has not. */
    @Override
    public boolean isRunning() {
        return this.running;
    }

    /** Timer deliveries so far. */
    public long timerTicks() {
        return this.timerTicks.get();
    }

    /** Timer expirations so far: at least the deliveries, more when ticks coalesced. */
    public long timerExpirations() {
        return this.timerExpirations.get();
    }

    /** User-event deliveries so far: each carries the sum of the signals since the previous one. */
    public long userEventDeliveries() {
        return this.userEventDeliveries.get();
    }

    /** The sum of the counts of every user-event delivery so far. */
    public long userEventsReceived() {
        return this.userEventsReceived.get();
    }

    /** Signals written so far. */
    public long signalsSent() {
        return this.signalsSent.get();
    }

    private void onTick(TimerTick tick) {
        long n = this.timerTicks.incrementAndGet();
        long total = this.timerExpirations.addAndGet(tick.expirations());
        logger.info("Timer tick #{}: {} expiration(s), {} in all", n, tick.expirations(), total);
    }

    private void onUserEvents(long count) {
        long n = this.userEventDeliveries.incrementAndGet();
        long total = this.userEventsReceived.addAndGet(count);
        logger.info("User events #{}: count {}, {} received of {} signalled", n, count, total,
                this.signalsSent.get());
    }

    private void signal() {
        UserEvents events = this.userEvents;
        synchronized (this.signalLock) {
            if (!this.running || events == null) {
                return;
            }
            for (int i = 0; i < SIGNALS_PER_RUN; i++) {
                // count first: the loop may deliver the signal before write(2) returns here
                this.signalsSent.incrementAndGet();
                if (!events.signal()) {
                    this.signalsSent.decrementAndGet();
                    logger.warn("User events counter is full; the subscriber has not read for too long");
                    return;
                }
            }
        }
    }

    private void logStats() {
        Aem aem = this.aem;
        if (aem == null) {
            return;
        }
        for (EventLoop loop : aem.loops()) {
            logger.info("Loop {}: {} turns, {} wake-ups from other threads", loop.name(), loop.turns(),
                    loop.wakeups());
            for (StreamStats stream : loop.streams()) {
                logger.info("  {}: delivered {}, lost {}, stalled {} ms{}", stream.sourceName(), stream.delivered(),
                        stream.lost(), TimeUnit.NANOSECONDS.toMillis(stream.stalledNanos()),
                        stream.stalled() ? " (stalled now)" : "");
            }
        }
    }

    private static void cancel(@Nullable ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private static void dispose(@Nullable Disposable subscription) {
        if (subscription != null) {
            subscription.dispose();
        }
    }
}
