package io.aem.demo;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The dashboard's endpoints: the live event stream ({@code GET /events}, Server-Sent Events) and
 * the demo actions ({@code POST /actions/*}). The page itself is {@code static/index.html}.
 *
 * <p><b>Backpressure.</b> Each browser gets its own bounded buffer in front of the shared hot
 * stream: {@code onBackpressureBuffer(demo.client-buffer, DROP_OLDEST)} (256 by default). A browser
 * that reads too slowly (or a stalled connection: the web server asks for more events only as it
 * gets them written to the socket) loses the oldest buffered events, never the newest, and never
 * makes the server buffer without bound; the drops are counted per browser and sent to it in each {@code stats}
 * event. The {@code stats} events themselves are {@code onBackpressureLatest}: a slow browser
 * gets the latest.
 */
@RestController
public class DashboardController {

    private static final Duration STATS_PERIOD = Duration.ofSeconds(1);

    private final DashboardEvents events;
    private final DemoJobs jobs;
    private final InboxFolder inbox;
    private final LoopLagProbe lagProbe;
    private final DemoHttpd httpd;
    private final RateHistory history;
    private final int clientBuffer;

    /**
     * Creates the controller.
     *
     * @param events     the hub of kernel events
     * @param jobs       runs the jobs of the actions
     * @param inbox      the folder files are created in
     * @param lagProbe   the loops and their lag
     * @param httpd      AEMhttpd, for its port
     * @param history    the charts' last 60 seconds
     * @param properties the per-browser buffer size
     */
    public DashboardController(DashboardEvents events, DemoJobs jobs, InboxFolder inbox, LoopLagProbe lagProbe,
            DemoHttpd httpd, RateHistory history, DemoProperties properties) {
        this.events = events;
        this.jobs = jobs;
        this.inbox = inbox;
        this.lagProbe = lagProbe;
        this.httpd = httpd;
        this.history = history;
        this.clientBuffer = Math.max(1, properties.getClientBuffer());
    }

    /**
     * The live stream of one browser: first a {@code hello} event (the inbox, AEMhttpd's port),
     * then {@code kernel} events ({@link DashboardEvent} as JSON) as they happen and a
     * {@code stats} event ({@link DashboardStats}) every second. Ends when the application stops.
     *
     * @return the events
     */
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> events() {
        LongAdder delivered = new LongAdder();
        LongAdder dropped = new LongAdder();
        Flux<ServerSentEvent<Object>> kernel = this.events.events()
            .onBackpressureBuffer(this.clientBuffer, (event) -> dropped.increment(), BufferOverflowStrategy.DROP_OLDEST)
            .doOnNext((event) -> delivered.increment())
            .map((event) -> ServerSentEvent.<Object>builder(event).event("kernel").build());
        Flux<ServerSentEvent<Object>> stats = Flux.interval(Duration.ZERO, STATS_PERIOD)
            .onBackpressureLatest()
            .map((tick) -> ServerSentEvent.<Object>builder(stats(delivered.sum(), dropped.sum())).event("stats").build());
        Mono<ServerSentEvent<Object>> hello = Mono.fromSupplier(() -> ServerSentEvent.<Object>builder(hello())
            .event("hello").build());
        return Flux.concat(hello, Flux.merge(kernel, stats)).takeUntilOther(this.events.closing());
    }

    /**
     * Writes a new file into the inbox, which the watch then reports as {@code file} events.
     *
     * @return the file created; an error response if it cannot be written
     */
    @PostMapping("/actions/create-file")
    public Mono<ActionResult> createFile() {
        return Mono.fromCallable(this.inbox::createFile)
            .subscribeOn(Schedulers.boundedElastic())
            .map((file) -> new ActionResult("create-file", file.toString()));
    }

    /**
     * Runs {@code sh -c 'exit 3'} and answers with its exit, also published as a {@code job} event.
     *
     * @return the exit
     */
    @PostMapping("/actions/run-job")
    public Mono<ActionResult> runJob() {
        return this.jobs.runExiting().map((exit) -> new ActionResult("run-job", DemoJobs.describe(exit)));
    }

    /**
     * Runs {@code sh -c 'kill -SEGV $$'} and answers with its exit, also published as a {@code job}
     * event.
     *
     * @return the exit
     */
    @PostMapping("/actions/fault-job")
    public Mono<ActionResult> faultJob() {
        return this.jobs.runFaulting().map((exit) -> new ActionResult("fault-job", DemoJobs.describe(exit)));
    }

    /**
     * The answer to an action.
     *
     * @param action the action's name
     * @param detail what it did: the file created, or the job's exit
     */
    public record ActionResult(String action, String detail) {
    }

    private Map<String, Object> hello() {
        return Map.of("inbox", this.inbox.path().toString(), "httpdPort", this.httpd.port().orElse(0),
                "clientBuffer", this.clientBuffer);
    }

    private DashboardStats stats(long delivered, long dropped) {
        List<DashboardStats.Stream> streams = new ArrayList<>();
        for (EventLoop loop : this.lagProbe.loops()) {
            for (StreamStats stream : loop.streams()) {
                streams.add(new DashboardStats.Stream(loop.name(), stream.sourceName(), stream.delivered(), stream.lost(),
                        TimeUnit.NANOSECONDS.toMillis(stream.stalledNanos()), stream.stalled()));
            }
        }
        return new DashboardStats(Instant.now().toString(), this.events.counts(), this.history.rates(),
                this.history.lags(), streams, this.lagProbe.lags(), delivered, dropped, this.clientBuffer);
    }
}
