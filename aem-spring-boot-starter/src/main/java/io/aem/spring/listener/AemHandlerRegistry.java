package io.aem.spring.listener;

import io.aem.reactor.Aem;
import io.aem.spring.sources.AemSource;
import io.aem.spring.sources.AemSources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * Subscribes the handlers with the application context's lifecycle: annotated methods found by
 * {@link AemListenerAnnotationBeanPostProcessor}, and the publishers of application events for
 * sources that ask for them.
 *
 * <p><b>Start</b> (phase {@link #PHASE}, before web servers start) subscribes every handler
 * registered so far; handlers registered later are subscribed at once. Each source then opens
 * its kernel object on its loop thread, asynchronously: a watch or a mark is in place shortly
 * after the start returns, not when it returns (a stream is listed in its loop's
 * {@link io.aem.linux.loop.EventLoop#streams()} from its opening task on).
 *
 * <p><b>Stop</b> is graceful: each handler's source subscription is cancelled at once (which
 * closes its kernel object and, for fanotify permission sources, allows every request the
 * subscription still holds), no new invocation starts, and the invocations in flight may finish;
 * the stop waits for them at most the shutdown timeout ({@code aem.shutdown.timeout}), then
 * cancels what is left. The {@link Aem} bean's loops close afterwards, when the bean is
 * destroyed. A whole-stream handler returning {@code void} ends when the flux it was given ends;
 * if it never subscribed to it, the stop waits the whole timeout for it.
 *
 * <p>Thread-safe. Logging: every invocation error at WARN with the handler id; the error that
 * ends a handler's stream at ERROR.
 */
public final class AemHandlerRegistry implements SmartLifecycle {
    /**
     * The lifecycle phase: lower than the web server's, so handlers run before the server takes
     * requests and are stopped after it stopped taking them.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Log log = LogFactory.getLog(AemHandlerRegistry.class);

    private final Aem aem;
    private final AemSources sources;
    private final AemHandlerStats stats;
    private final AemHandlerScheduler defaultScheduler;
    private final Duration shutdownTimeout;
    private final ApplicationEventPublisher publisher;
    private final List<AemHandlerDefinition> definitions = new ArrayList<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private boolean running;

    /**
     * A registry; nothing is subscribed before {@link #start()}.
     *
     * @param aem              the entry point, whose loops the sources open on; a dependency so that
     *                         it is destroyed (its loops closed) after this registry stopped
     * @param sources          the declared sources; those that publish application events get a publisher handler
     * @param stats            where the counters go
     * @param defaultScheduler where handlers run unless their annotation says
     * @param shutdownTimeout  how long a stop waits for invocations in flight
     * @param publisher        publishes the application events
     */
    public AemHandlerRegistry(Aem aem, AemSources sources, AemHandlerStats stats, AemHandlerScheduler defaultScheduler,
                              Duration shutdownTimeout, ApplicationEventPublisher publisher) {
        this.aem = aem;
        this.sources = sources;
        this.stats = stats;
        this.defaultScheduler = defaultScheduler;
        this.shutdownTimeout = shutdownTimeout;
        this.publisher = publisher;
        for (AemSource source : sources.sources().values()) {
            if (source.publishesApplicationEvents()) {
                this.definitions.add(new AemHandlerDefinition("application-events." + source.name(), source, null,
                        event -> {
                            publisher.publishEvent(new AemApplicationEvent<>(this, source.name(), source.family(), event));
                            return null;
                        }, null, 1, AemHandlerScheduler.BOUNDED_ELASTIC, false));
            }
        }
    }

    /**
     * The scheduler handlers run on when their annotation names none.
     *
     * @return the default from {@code aem.handlers.scheduler}
     */
    public AemHandlerScheduler defaultScheduler() {
        return this.defaultScheduler;
    }

    /**
     * The declared sources handlers refer to by name.
     *
     * @return the sources
     */
    public AemSources sources() {
        return this.sources;
    }

    synchronized void register(AemHandlerDefinition definition) {
        this.definitions.add(definition);
        if (this.running) {
            this.subscriptions.add(subscribe(definition));
        }
    }

    /** Subscribes every registered handler; see the class description. */
    @Override
    public synchronized void start() {
        if (this.running) {
            return;
        }
        this.running = true;
        for (AemHandlerDefinition definition : this.definitions) {
            this.subscriptions.add(subscribe(definition));
        }
    }

    /**
     * Stops every handler gracefully and waits for it, at most the shutdown timeout; see the
     * class description. Blocks the calling thread.
     */
    @Override
    public void stop() {
        List<Subscription> live;
        synchronized (this) {
            if (!this.running) {
                return;
            }
            this.running = false;
            live = List.copyOf(this.subscriptions);
            this.subscriptions.clear();
        }
        live.forEach(s -> s.stop.tryEmitEmpty());
        CompletableFuture<?>[] done = live.stream().map(s -> s.done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(done).get(this.shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            List<String> late = live.stream().filter(s -> !s.done.isDone()).map(s -> s.handler.id()).toList();
            log.warn("AEM handlers " + late + " did not finish within " + this.shutdownTimeout
                    + " (aem.shutdown.timeout); cancelling them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // a handler's end is never exceptional: done completes normally
        }
        live.forEach(s -> s.disposable.dispose());
        live.forEach(s -> s.handler.active(false));
    }

    @Override
    public synchronized boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private Subscription subscribe(AemHandlerDefinition definition) {
        AemHandlerStats.Handler handler = this.stats.handler(definition.id()).orElseGet(
                () -> this.stats.register(definition.id(), definition.source().name(), definition.source().family()));
        Sinks.Empty<Void> stop = Sinks.empty();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Scheduler scheduler = definition.scheduler().scheduler();
        Flux<Object> events = definition.source().flux().cast(Object.class);
        Class<?> filter = definition.eventFilter();
        if (filter != null) {
            events = events.filter(filter::isInstance);
        }
        handler.active(true);
        Disposable disposable;
        Function<Object, @Nullable Publisher<?>> perEvent = definition.perEvent();
        if (perEvent != null) {
            Flux<Object> gated = events.takeUntilOther(stop.asMono());
            disposable = gated
                    .flatMap(event -> invoke(definition, handler, perEvent, event, scheduler), definition.concurrency(), 1)
                    .subscribe(null, error -> ended(definition, handler, done, error), () -> ended(definition, handler, done, null));
        } else {
            Function<Flux<Object>, @Nullable Publisher<?>> whole = definition.wholeFlux();
            if (scheduler != null) {
                events = events.publishOn(scheduler, Queues.XS_BUFFER_SIZE);
            }
            CompletableFuture<Void> inputEnded = new CompletableFuture<>();
            Flux<Object> gated = events.takeUntilOther(stop.asMono()).doOnNext(e -> handler.receivedOne())
                    .doFinally(signal -> inputEnded.complete(null));
            Publisher<?> result;
            try {
                result = whole == null ? null : whole.apply(gated);
            } catch (RuntimeException e) {
                ended(definition, handler, done, e);
                return new Subscription(handler, stop, done, () -> { });
            }
            if (result == null) {
                // the method subscribed (or not) on its own: the handler ends with its input
                inputEnded.thenRun(() -> ended(definition, handler, done, null));
                disposable = () -> { };
            } else {
                disposable = Flux.from(result).subscribe(null,
                        error -> ended(definition, handler, done, error), () -> ended(definition, handler, done, null));
            }
        }
        return new Subscription(handler, stop, done, disposable);
    }

    private static Mono<Void> invoke(AemHandlerDefinition definition, AemHandlerStats.Handler handler,
                                     Function<Object, @Nullable Publisher<?>> perEvent, Object event,
                                     @Nullable Scheduler scheduler) {
        handler.receivedOne();
        Mono<Void> call = Mono.defer(() -> {
            handler.started();
            Publisher<?> result = perEvent.apply(event);
            return result == null ? Mono.<Void>empty() : Flux.from(result).then();
        });
        if (scheduler != null) {
            call = call.subscribeOn(scheduler);
        }
        return call
                .doOnSuccess(v -> handler.finished(true))
                .onErrorResume(error -> {
                    handler.finished(false);
                    handler.error(error);
                    log.warn("AEM handler " + definition.id() + " failed on " + event, error);
                    return definition.stopOnError() ? Mono.error(new HandlerStopped(error)) : Mono.empty();
                });
    }

    private static void ended(AemHandlerDefinition definition, AemHandlerStats.Handler handler,
                              CompletableFuture<Void> done, @Nullable Throwable error) {
        if (done.isDone()) {
            return;
        }
        handler.active(false);
        if (error instanceof HandlerStopped stopped) {
            log.error("AEM handler " + definition.id() + " stopped after an error (stopOnError)", stopped.getCause());
        } else if (error != null) {
            handler.error(error);
            log.error("AEM handler " + definition.id() + " ended: its " + definition.source() + " failed", error);
        }
        done.complete(null);
    }

    private record Subscription(AemHandlerStats.Handler handler, Sinks.Empty<Void> stop, CompletableFuture<Void> done,
                                Disposable disposable) {
    }

    /** Marks an invocation error that ends the handler (stopOnError), already counted. */
    private static final class HandlerStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerStopped(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
