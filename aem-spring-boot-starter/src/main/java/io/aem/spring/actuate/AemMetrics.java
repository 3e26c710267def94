package io.aem.spring.actuate;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.StreamStats;
import io.aem.reactor.Aem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of an {@link Aem}: per event loop and per source.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>Name</th><th>Type</th><th>Tags</th><th>Value</th></tr>
 * <tr><td>{@code aem.events}</td><td>function counter</td><td>{@code loop}, {@code source}</td>
 * <td>events delivered to subscribers ({@link StreamStats#delivered()})</td></tr>
 * <tr><td>{@code aem.events.lost}</td><td>function counter</td><td>{@code loop}, {@code source}</td>
 * <td>events the kernel or the source reported lost ({@link StreamStats#lost()})</td></tr>
 * <tr><td>{@code aem.demand.stalled}</td><td>function counter, seconds</td><td>{@code loop}, {@code source}</td>
 * <td>time during which data was ready but the subscriber had no demand ({@link StreamStats#stalledNanos()})</td></tr>
 * <tr><td>{@code aem.streams}</td><td>gauge</td><td>{@code loop}, {@code source}</td>
 * <td>live streams of the source</td></tr>
 * <tr><td>{@code aem.loop.lag}</td><td>timer</td><td>{@code loop}</td>
 * <td>time from handing a probe task to the loop until it runs</td></tr>
 * <tr><td>{@code aem.loop.registrations}</td><td>gauge</td><td>{@code loop}</td>
 * <td>live fd registrations of the loop, as of the last probe ({@code NaN} before the first
 * and after the loop closed)</td></tr>
 * </table>
 *
 * <p>{@code loop} is the loop's name and {@code source} the stream's
 * {@linkplain StreamStats#sourceName() source name}. Streams with the same loop and source name
 * share their meters, whose value is the sum over them; a stream that ended keeps its counts in
 * that sum, so the counters never go down while the source has live streams. Streams come and go:
 * every {@code refreshInterval} the live streams are read from {@link EventLoop#streams()}, meters
 * of new sources are registered and the meters of a source with no live stream left are removed
 * (a source seen again later starts again from zero). Every {@code lagProbeInterval} each loop
 * is handed one probe task, unless the previous one has not run yet.
 *
 * <p>The refresh and the probes run on one daemon thread, {@code aem-metrics}, started by the
 * first {@link #bindTo}; the loops only run the probe tasks (a clock read and a counter read).
 * Reading a meter costs a volatile read per live stream. {@link #close()} stops the thread and
 * removes every meter this binder registered. Thread-safe.
 */
public final class AemMetrics implements MeterBinder, AutoCloseable {
    private static final Log LOG = LogFactory.getLog(AemMetrics.class);

    private final Aem aem;
    private final Duration refreshInterval;
    private final Duration lagProbeInterval;
    private final List<LoopProbe> probes = new ArrayList<>();
    private final Map<SourceKey, SourceGroup> groups = new HashMap<>();
    private final List<Binding> bindings = new ArrayList<>();
    private @Nullable ScheduledThreadPoolExecutor executor;
    private boolean closed;

    /**
     * Creates the binder; nothing is registered or started before {@link #bindTo}.
     *
     * @param aem              the entry point whose loops and streams are measured
     * @param refreshInterval  how often the per-source meters follow the live streams, positive
     * @param lagProbeInterval how often each loop is probed for lag, positive
     * @throws IllegalArgumentException if an interval is not positive
     */
    public AemMetrics(Aem aem, Duration refreshInterval, Duration lagProbeInterval) {
        this.aem = Objects.requireNonNull(aem, "aem");
        this.refreshInterval = positive(refreshInterval, "refreshInterval");
        this.lagProbeInterval = positive(lagProbeInterval, "lagProbeInterval");
        for (EventLoop loop : aem.loops()) {
            probes.add(new LoopProbe(loop));
        }
    }

    private static Duration positive(Duration interval, String name) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + interval);
        }
        return interval;
    }

    /**
     * Registers the loop meters and the meters of the sources live now with the registry, and
     * starts the refresh and probe thread if this is the first registry.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder is closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (closed) {
            throw new IllegalStateException("AemMetrics is closed");
        }
        Binding binding = new Binding(registry);
        for (LoopProbe probe : probes) {
            Tags tags = Tags.of("loop", probe.loop.name());
            binding.meters.add(Gauge.builder("aem.loop.registrations", probe, LoopProbe::registrations)
                    .description("Live fd registrations of the event loop, as of the last lag probe")
                    .tags(tags).register(registry));
            Timer lag = Timer.builder("aem.loop.lag")
                    .description("Time from handing a probe task to the event loop until it runs")
                    .tags(tags).register(registry);
            binding.meters.add(lag);
            probe.timers.add(lag);
        }
        bindings.add(binding);
        refresh();
        for (SourceGroup group : groups.values()) {
            if (!binding.sources.containsKey(group.key)) {
                binding.register(group);
            }
        }
        if (executor == null) {
            ScheduledThreadPoolExecutor started = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "aem-metrics");
                thread.setDaemon(true);
                return thread;
            });
            started.setRemoveOnCancelPolicy(true);
            started.scheduleWithFixedDelay(this::refreshLogged, refreshInterval.toNanos(),
                    refreshInterval.toNanos(), TimeUnit.NANOSECONDS);
            started.scheduleAtFixedRate(this::probe, 0, lagProbeInterval.toNanos(), TimeUnit.NANOSECONDS);
            executor = started;
        }
    }

    /**
     * Brings the per-source meters up to date with the loops' live streams now, on the caller's
     * thread; the refresh thread does the same every {@code refreshInterval}. Costs a pass over
     * the live streams and a registry call per source that appeared or vanished.
     */
    public synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<SourceKey, List<StreamStats>> live = new HashMap<>();
        for (EventLoop loop : aem.loops()) {
            for (StreamStats stream : loop.streams()) {
                live.computeIfAbsent(new SourceKey(loop.name(), stream.sourceName()), k -> new ArrayList<>())
                        .add(stream);
            }
        }
        for (Iterator<SourceGroup> it = groups.values().iterator(); it.hasNext();) {
            SourceGroup group = it.next();
            List<StreamStats> streams = live.remove(group.key);
            group.follow(streams == null ? List.of() : streams);
            if (streams == null) {
                it.remove();
                for (Binding binding : bindings) {
                    binding.unregister(group.key);
                }
            }
        }
        for (Map.Entry<SourceKey, List<StreamStats>> entry : live.entrySet()) {
            SourceGroup group = new SourceGroup(entry.getKey());
            group.follow(entry.getValue());
            groups.put(group.key, group);
            for (Binding binding : bindings) {
                binding.register(group);
            }
        }
    }

    private void refreshLogged() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("Refreshing the AEM source meters failed; trying again in " + refreshInterval, e);
        }
    }

    private void probe() {
        for (LoopProbe probe : probes) {
            try {
                probe.send();
            } catch (RuntimeException e) {
                LOG.warn("The lag probe of AEM loop " + probe.loop.name() + " failed", e);
            }
        }
    }

    /**
     * Stops the refresh and probe thread (without waiting for a probe in flight) and removes
     * every meter this binder registered from its registries. Idempotent.
     */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor stopping;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = executor;
            executor = null;
            for (Binding binding : bindings) {
                binding.unregisterAll();
            }
            bindings.clear();
            groups.clear();
            for (LoopProbe probe : probes) {
                probe.timers.clear();
            }
        }
        if (stopping != null) {
            stopping.shutdownNow();
        }
    }

    private record SourceKey(String loop, String source) {
    }

    /** The meters registered with one registry. Guarded by the binder's lock. */
    private static final class Binding {
        final MeterRegistry registry;
        final List<Meter> meters = new ArrayList<>();
        final Map<SourceKey, List<Meter>> sources = new HashMap<>();

        Binding(MeterRegistry registry) {
            this.registry = registry;
        }

        void register(SourceGroup group) {
            Tags tags = Tags.of("loop", group.key.loop(), "source", group.key.source());
            sources.put(group.key, List.of(
                    FunctionCounter.builder("aem.events", group, SourceGroup::delivered)
                            .description("Events delivered to the subscribers of the source")
                            .baseUnit("events").tags(tags).register(registry),
                    FunctionCounter.builder("aem.events.lost", group, SourceGroup::lost)
                            .description("Events of the source the kernel or the source reported lost")
                            .baseUnit("events").tags(tags).register(registry),
                    FunctionCounter.builder("aem.demand.stalled", group, SourceGroup::stalledSeconds)
                            .description("Time during which the source's data was ready but its subscriber had no demand")
                            .baseUnit("seconds").tags(tags).register(registry),
                    Gauge.builder("aem.streams", group, SourceGroup::liveStreams)
                            .description("Live streams of the source")
                            .tags(tags).register(registry)));
        }

        void unregister(SourceKey key) {
            List<Meter> removed = sources.remove(key);
            if (removed != null) {
                removed.forEach(registry::remove);
            }
        }

        void unregisterAll() {
            for (List<Meter> source : sources.values()) {
                source.forEach(registry::remove);
            }
            sources.clear();
            meters.forEach(registry::remove);
            meters.clear();
        }
    }

    /**
     * The streams of one loop with one source name. The values it reports are the retired
     * totals of its ended streams plus the highest values seen of its live ones, so they never
     * go down. Guarded by its own lock (meters read it from the registry's threads).
     */
    private static final class SourceGroup {
        final SourceKey key;
        private final Map<StreamStats, long[]> live = new IdentityHashMap<>();
        private long retiredDelivered;
        private long retiredLost;
        private long retiredStalledNanos;

        SourceGroup(SourceKey key) {
            this.key = key;
        }

        synchronized void follow(List<StreamStats> streams) {
            Map<StreamStats, long[]> next = new IdentityHashMap<>();
            for (StreamStats stream : streams) {
                long[] seen = live.remove(stream);
                next.put(stream, seen == null ? new long[3] : seen);
            }
            for (Map.Entry<StreamStats, long[]> ended : live.entrySet()) {
                long[] seen = observe(ended.getKey(), ended.getValue());
                retiredDelivered += seen[0];
                retiredLost += seen[1];
                retiredStalledNanos += seen[2];
            }
            live.clear();
            live.putAll(next);
        }

        private static long[] observe(StreamStats stream, long[] seen) {
            seen[0] = Math.max(seen[0], stream.delivered());
            seen[1] = Math.max(seen[1], stream.lost());
            seen[2] = Math.max(seen[2], stream.stalledNanos());
            return seen;
        }

        synchronized double delivered() {
            long sum = retiredDelivered;
            for (Map.Entry<StreamStats, long[]> e : live.entrySet()) {
                sum += observe(e.getKey(), e.getValue())[0];
            }
            return sum;
        }

        synchronized double lost() {
            long sum = retiredLost;
            for (Map.Entry<StreamStats, long[]> e : live.entrySet()) {
                sum += observe(e.getKey(), e.getValue())[1];
            }
            return sum;
        }

        synchronized double stalledSeconds() {
            long sum = retiredStalledNanos;
            for (Map.Entry<StreamStats, long[]> e : live.entrySet()) {
                sum += observe(e.getKey(), e.getValue())[2];
            }
            return sum / 1e9;
        }

        synchronized double liveStreams() {
            return live.size();
        }
    }

    /** The lag probe of one loop: at most one probe task in flight. */
    private static final class LoopProbe {
        final EventLoop loop;
        final List<Timer> timers = new CopyOnWriteArrayList<>();
        private final AtomicBoolean inFlight = new AtomicBoolean();
        private volatile int registrations = -1;

        LoopProbe(EventLoop loop) {
            this.loop = loop;
        }

        void send() {
            if (loop.isClosed()) {
                registrations = -1;
                return;
            }
            if (!inFlight.compareAndSet(false, true)) {
                return;
            }
            long sent = System.nanoTime();
            try {
                loop.execute(() -> {
                    long lag = System.nanoTime() - sent;
                    registrations = loop.registrationCount();
                    inFlight.set(false);
                    for (Timer timer : timers) {
                        timer.record(lag, TimeUnit.NANOSECONDS);
                    }
                });
            } catch (EventLoopClosedException e) {
                registrations = -1;
                inFlight.set(false);
            }
        }

        double registrations() {
            int n = registrations;
            return n < 0 || loop.isClosed() ? Double.NaN : n;
        }
    }
}
