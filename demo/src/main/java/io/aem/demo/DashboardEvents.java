package io.aem.demo;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The hub between the kernel event sources and the dashboards: sources {@link #publish} events
 * from any thread, each dashboard subscribes to {@link #events()}, and the events published per
 * family are counted for the rate charts.
 *
 * <p>The hub never buffers: an event is handed to the subscribers present when it is published
 * (a hot multicast, {@code directBestEffort}: a subscriber without demand misses it). Each
 * dashboard therefore requests without bound from the hub and bounds its own buffer (see
 * {@link DashboardController}). When the application stops, {@link #closing()} completes so the
 * open event streams end before the web server stops.
 */
@Component
public class DashboardEvents implements SmartLifecycle {

    private final Sinks.Many<DashboardEvent> sink = Sinks.many().multicast().directBestEffort();
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private final ConcurrentMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private volatile boolean running;

    /**
     * Publishes an event now to the current subscribers and counts it for its family. Any thread;
     * emissions are serialized by a lock held for the subscribers' {@code onNext} (which only
     * enqueue into their bounded buffers).
     *
     * @param family  the source family, see {@link DashboardEvent#family()}
     * @param summary one human-readable line
     */
    public void publish(String family, String summary) {
        DashboardEvent event = new DashboardEvent(family, Instant.now().toString(), summary);
        this.counts.computeIfAbsent(family, (name) -> new LongAdder()).increment();
        synchronized (this.sink) {
            this.sink.tryEmitNext(event);
        }
    }

    /**
     * The live events: hot, from the moment of subscription on; completes when the application
     * stops. Signals arrive on the publishing threads (loop threads, scheduler threads).
     *
     * @return the events
     */
    public Flux<DashboardEvent> events() {
        return this.sink.asFlux();
    }

    /**
     * Completes when the application starts to stop.
     *
     * @return an empty {@link Mono}
     */
    public Mono<Void> closing() {
        return this.closing.asMono();
    }

    /**
     * The events published so far per family, sorted by family; a copy. Any thread.
     *
     * @return family to count
     */
    public Map<String, Long> counts() {
        Map<String, Long> copy = new TreeMap<>();
        this.counts.forEach((family, count) -> copy.put(family, count.sum()));
        return copy;
    }

    /** Marks the hub running; nothing else to start. */
    @Override
    public void start() {
        this.running = true;
    }

    /** Completes {@link #closing()} and the event stream, ending the open dashboards' streams. */
    @Override
    public void stop() {
        this.running = false;
        this.closing.tryEmitEmpty();
        synchronized (this.sink) {
            this.sink.tryEmitComplete();
        }
    }

    /** Whether {@link #start()} ran and {@link #stop()} has not. */
    @Override
    public boolean isRunning() {
        return this.running;
    }
}
