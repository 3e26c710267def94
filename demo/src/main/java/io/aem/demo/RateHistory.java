package io.aem.demo;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * The last 60 seconds of the dashboard's charts, kept on the server so that a page opened now
 * shows the whole window at once: once a second it samples the events published per family
 * ({@link DashboardEvents#counts()}) into events per second, and each loop's last lag
 * ({@link LoopLagProbe}). Sampled on a task-scheduler thread; read from any thread.
 */
@Component
public class RateHistory implements SmartLifecycle {

    /** Samples kept: one a second. */
    public static final int WINDOW = 60;

    private final DashboardEvents events;
    private final LoopLagProbe lagProbe;
    private final TaskScheduler scheduler;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private @Nullable Sample previous;
    private volatile @Nullable ScheduledFuture<?> task;

    private record Sample(long nanos, Map<String, Long> counts, Map<String, Double> rates, Map<String, Long> lags) {
    }

    /**
     * Creates the history; nothing is sampled before {@link #start()}.
     *
     * @param events    the counts per family
     * @param lagProbe  the loops' lag
     * @param scheduler runs the sampling
     */
    public RateHistory(DashboardEvents events, LoopLagProbe lagProbe, TaskScheduler scheduler) {
        this.events = events;
        this.lagProbe = lagProbe;
        this.scheduler = scheduler;
    }

    /** Starts sampling once a second. */
    @Override
    public void start() {
        this.task = this.scheduler.scheduleAtFixedRate(this::sample, Duration.ofSeconds(1));
    }

    /** Stops sampling. */
    @Override
    public void stop() {
        ScheduledFuture<?> scheduled = this.task;
        this.task = null;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /** Whether sampling is scheduled. */
    @Override
    public boolean isRunning() {
        return this.task != null;
    }

    /**
     * Events per second of each family (to 0.01) over the last {@value #WINDOW} samples, oldest first; a
     * family seen late has fewer values. A copy.
     *
     * @return family to rates, sorted by family
     */
    public synchronized Map<String, List<Double>> rates() {
        Map<String, List<Double>> rates = new TreeMap<>();
        for (Sample sample : this.samples) {
            for (Map.Entry<String, Double> rate : sample.rates().entrySet()) {
                List<Double> values = rates.computeIfAbsent(rate.getKey(), (family) -> new ArrayList<>());
                values.add(rate.getValue());
            }
        }
        return rates;
    }

    /**
     * Each loop's last lag in microseconds per sample, over the last {@value #WINDOW} samples,
     * oldest first. A copy.
     *
     * @return loop name to lags, in loop order
     */
    public synchronized Map<String, List<Long>> lags() {
        Map<String, List<Long>> lags = new LinkedHashMap<>();
        for (Sample sample : this.samples) {
            for (Map.Entry<String, Long> lag : sample.lags().entrySet()) {
                lags.computeIfAbsent(lag.getKey(), (loop) -> new ArrayList<>()).add(lag.getValue());
            }
        }
        return lags;
    }

    /** Takes one sample; package-private for tests. */
    synchronized void sample() {
        long now = System.nanoTime();
        Map<String, Long> counts = this.events.counts();
        Map<String, Double> rates = new HashMap<>();
        Sample last = this.previous;
        if (last != null) {
            double seconds = Math.max(1e-3, (now - last.nanos()) / 1e9);
            counts.forEach((family, count) -> rates.put(family,
                    Math.round((count - last.counts().getOrDefault(family, 0L)) / seconds * 100) / 100.0));
        }
        Map<String, Long> lags = new LinkedHashMap<>();
        for (LoopLagProbe.Lag lag : this.lagProbe.lags()) {
            lags.put(lag.loop(), lag.lastMicros());
        }
        Sample sample = new Sample(now, counts, rates, lags);
        this.previous = sample;
        if (last != null) {
            this.samples.addLast(sample);
            while (this.samples.size() > WINDOW) {
                this.samples.removeFirst();
            }
        }
    }
}
