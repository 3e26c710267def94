package io.aem.demo;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.reactor.Aem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Measures the lag of every event loop (the Aem's and AEMhttpd's): every
 * {@code demo.lag-probe-period} a task stamped with {@link System#nanoTime()} is handed to each
 * loop with {@link EventLoop#execute}, and the time until it runs on the loop thread is the lag:
 * how long work queued for the loop waits behind what the loop is doing.
 */
@Component
public class LoopLagProbe implements SmartLifecycle {

    /**
     * The lag of one loop.
     *
     * @param loop      the loop's name
     * @param lastMicros the last probe's lag in microseconds
     * @param maxMicros  the largest lag seen so far in microseconds
     * @param probes     the probes that ran
     */
    public record Lag(String loop, long lastMicros, long maxMicros, long probes) {
    }

    private final Aem aem;
    private final DemoHttpd httpd;
    private final DemoProperties properties;
    private final TaskScheduler scheduler;
    private final Map<String, Lag> lags = new ConcurrentHashMap<>();
    private volatile @Nullable ScheduledFuture<?> task;

    /**
     * Creates the probe; nothing runs before {@link #start()}.
     *
     * @param aem        its loops are probed
     * @param httpd      its loop is probed while it runs
     * @param properties the probe period
     * @param scheduler  stamps and hands out the probes
     */
    public LoopLagProbe(Aem aem, DemoHttpd httpd, DemoProperties properties, TaskScheduler scheduler) {
        this.aem = aem;
        this.httpd = httpd;
        this.properties = properties;
        this.scheduler = scheduler;
    }

    /** Schedules the probes. */
    @Override
    public void start() {
        this.task = this.scheduler.scheduleAtFixedRate(this::probe, this.properties.getLagProbePeriod());
    }

    /** Cancels the probes. */
    @Override
    public void stop() {
        ScheduledFuture<?> scheduled = this.task;
        this.task = null;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /** Whether the probes are scheduled. */
    @Override
    public boolean isRunning() {
        return this.task != null;
    }

    /**
     * The loops probed so far with their lags, in loop order; any thread.
     *
     * @return a copy
     */
    public List<Lag> lags() {
        List<Lag> copy = new ArrayList<>();
        for (EventLoop loop : loops()) {
            Lag lag = this.lags.get(loop.name());
            if (lag != null) {
                copy.add(lag);
            }
        }
        return copy;
    }

    /**
     * The loops shown on the dashboard: the Aem's, then AEMhttpd's while it runs.
     *
     * @return the loops
     */
    public List<EventLoop> loops() {
        List<EventLoop> loops = new ArrayList<>(this.aem.loops());
        this.httpd.loop().ifPresent(loops::add);
        return loops;
    }

    private void probe() {
        for (EventLoop loop : loops()) {
            long stamped = System.nanoTime();
            try {
                loop.execute(() -> record(loop.name(), System.nanoTime() - stamped));
            } catch (EventLoopClosedException ex) {
                // stopping: the loop ended between the listing and the probe
            }
        }
    }

    private void record(String loop, long lagNanos) {
        long micros = TimeUnit.NANOSECONDS.toMicros(lagNanos);
        this.lags.merge(loop, new Lag(loop, micros, micros, 1),
                (old, now) -> new Lag(loop, micros, Math.max(old.maxMicros(), micros), old.probes() + 1));
    }
}
