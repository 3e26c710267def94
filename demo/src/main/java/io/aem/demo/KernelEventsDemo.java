package io.aem.demo;

import io.aem.linux.KernelException;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.reactor.Aem;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
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
 * The demo's kernel event sources, each published to the dashboard ({@link DashboardEvents}): the
 * inbox watched with inotify ({@code file}), a periodic kernel timer ({@code timer}), a timer on
 * the loop's wheel ({@code wheel}), user events signalled from a scheduled task ({@code user}),
 * and jobs started by a timer ({@code job}, see {@link DemoJobs}). Logs the stream counters of
 * every loop periodically.
 *
 * <p>Events are delivered, and published, on the loop thread ({@code aem-1}); the signals are
 * written and the jobs started from the task scheduler's threads. At shutdown the user events are
 * completed first, so every signal sent is received before the counts are compared in the last
 * log line.
 */
@Component
public class KernelEventsDemo implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(KernelEventsDemo.class);

    /** Signals written per run of the task: the subscriber sees them summed into one count or a few. */
    private static final int SIGNALS_PER_RUN = 3;

    /** What the inbox watch reports: not ACCESS, which a large file sent by AEMhttpd repeats per read. */
    private static final Set<FileEventKind> WATCHED_KINDS = EnumSet.of(FileEventKind.CREATE, FileEventKind.MODIFY,
            FileEventKind.ATTRIBUTES, FileEventKind.OPEN, FileEventKind.CLOSE_WRITE, FileEventKind.CLOSE_NOWRITE,
            FileEventKind.DELETE, FileEventKind.RENAME, FileEventKind.MOVED_IN, FileEventKind.MOVED_OUT);

    private final ObjectProvider<Aem> aemProvider;
    private final DemoProperties properties;
    private final TaskScheduler scheduler;
    private final DashboardEvents events;
    private final InboxFolder inbox;
    private final DemoJobs jobs;
    private final Object signalLock = new Object();

    private final AtomicLong timerTicks = new AtomicLong();
    private final AtomicLong timerExpirations = new AtomicLong();
    private final AtomicLong userEventDeliveries = new AtomicLong();
    private final AtomicLong userEventsReceived = new AtomicLong();
    private final AtomicLong signalsSent = new AtomicLong();
    private final AtomicLong wheelTicks = new AtomicLong();
    private final AtomicLong fileEvents = new AtomicLong();
    private final AtomicLong jobsStarted = new AtomicLong();

    private volatile boolean running;
    private @Nullable Aem aem;
    private @Nullable UserEvents userEvents;
    private @Nullable CompletableFuture<Void> userEventsDone;
    private @Nullable Disposable timerSubscription;
    private @Nullable Disposable userEventsSubscription;
    private @Nullable Disposable wheelSubscription;
    private @Nullable Disposable watchSubscription;
    private @Nullable ScheduledFuture<?> jobTask;
    private @Nullable ScheduledFuture<?> signalTask;
    private @Nullable ScheduledFuture<?> statsTask;

    /**
     * Creates the component; nothing is subscribed before {@link #start()}.
     *
     * @param aem        the entry point of the starter
     * @param properties the demo's periods
     * @param scheduler  runs the tasks that signal the user events, start the jobs and log counters
     * @param events     receives every event for the dashboard
     * @param inbox      the folder watched
     * @param jobs       runs the jobs
     */
    public KernelEventsDemo(ObjectProvider<Aem> aem, DemoProperties properties, TaskScheduler scheduler,
            DashboardEvents events, InboxFolder inbox, DemoJobs jobs) {
        this.aemProvider = aem;
        this.properties = properties;
        this.scheduler = scheduler;
        this.events = events;
        this.inbox = inbox;
        this.jobs = jobs;
    }

    /**
     * Subscribes to the sources and starts signalling and the job timer; on the caller's thread.
     *
     * @throws IllegalStateException if there is no Aem bean
     * @throws UncheckedIOException  if the user events cannot be created
     */
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
        Duration wheelPeriod = this.properties.getWheelPeriod();
        this.wheelSubscription = aem.wheelInterval(wheelPeriod)
            .subscribe(this::onWheelTick, (ex) -> logger.error("Wheel timer stream failed", ex));
        this.watchSubscription = aem.watch(FileWatch.directory(this.inbox.path()).withKinds(WATCHED_KINDS))
            .subscribe(this::onFileEvent, (ex) -> {
                logger.error("Watch of {} failed", this.inbox.path(), ex);
                this.events.publish("file", "watch failed: " + ex.getMessage());
            });

        this.running = true;
        this.signalTask = this.scheduler.scheduleAtFixedRate(this::signal, this.properties.getSignalPeriod());
        Duration jobPeriod = this.properties.getJobPeriod();
        if (!jobPeriod.isNegative() && !jobPeriod.isZero()) {
            this.jobTask = this.scheduler.scheduleAtFixedRate(this::startJob, Instant.now().plus(jobPeriod), jobPeriod);
        }
        Duration statsPeriod = this.properties.getStatsPeriod();
        this.statsTask = this.scheduler.scheduleAtFixedRate(this::logStats, Instant.now().plus(statsPeriod),
                statsPeriod);
        logger.info("Watching {}; kernel timer every {}, wheel timer every {}, user events every {}, jobs every {}"
                + " on loops {}", this.inbox.path(), timerPeriod, wheelPeriod, this.properties.getSignalPeriod(),
                jobPeriod, aem.loops());
    }

    /** Completes the user events, waits for the last count, and cancels the other streams and tasks. */
    @Override
    public void stop() {
        synchronized (this.signalLock) {
            this.running = false;
        }
        cancel(this.signalTask);
        cancel(this.statsTask);
        cancel(this.jobTask);
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
        dispose(this.wheelSubscription);
        dispose(this.watchSubscription);
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

    /** Wheel timer deliveries so far. */
    public long wheelTicks() {
        return this.wheelTicks.get();
    }

    /** File events of the inbox so far. */
    public long fileEvents() {
        return this.fileEvents.get();
    }

    /** Jobs started by the job timer so far. */
    public long jobsStarted() {
        return this.jobsStarted.get();
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
        logger.debug("Timer tick #{}: {} expiration(s), {} in all", n, tick.expirations(), total);
        this.events.publish("timer", "tick #" + n + ": " + tick.expirations() + " expiration(s)");
    }

    private void onWheelTick(TimerTick tick) {
        long n = this.wheelTicks.incrementAndGet();
        this.events.publish("wheel", "tick #" + n + ": " + tick.expirations() + " expiration(s)");
    }

    private void onFileEvent(FileEvent event) {
        this.fileEvents.incrementAndGet();
        Path name = event.path().getFileName();
        String shown = name == null ? event.path().toString() : name.toString();
        this.events.publish("file", event.kind() + " " + shown + (event.directory() ? "/" : ""));
    }

    private void startJob() {
        long n = this.jobsStarted.incrementAndGet();
        (n % 2 == 1 ? this.jobs.runExiting() : this.jobs.runFaulting())
            .subscribe((exit) -> { }, (ex) -> logger.warn("Demo job failed to start", ex));
    }

    private void onUserEvents(long count) {
        long n = this.userEventDeliveries.incrementAndGet();
        long total = this.userEventsReceived.addAndGet(count);
        logger.debug("User events #{}: count {}, {} received of {} signalled", n, count, total,
                this.signalsSent.get());
        this.events.publish("user", "count " + count + " (" + total + " received)");
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
