package io.aem.spring.listener;

import io.aem.spring.sources.AemSource;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * One handler to subscribe: its source and what it does with the events.
 *
 * @param id           unique id, the key of its statistics
 * @param source       the source it reads
 * @param eventFilter  the events it takes (a narrower parameter type than the source's), or {@code null} for all
 * @param perEvent     the per-event invocation (returns the publisher whose completion is the demand, or
 *                     {@code null} when done); {@code null} for a whole-flux handler
 * @param wholeFlux    the whole-flux invocation (returns a publisher to subscribe to, or {@code null}); {@code null}
 *                     for a per-event handler
 * @param concurrency  per-event: how many invocations may be in flight at once
 * @param scheduler    where invocations run
 * @param stopOnError  whether an invocation error ends the handler's subscription
 */
record AemHandlerDefinition(String id, AemSource source, @Nullable Class<?> eventFilter,
                            @Nullable Function<Object, @Nullable Publisher<?>> perEvent,
                            @Nullable Function<Flux<Object>, @Nullable Publisher<?>> wholeFlux,
                            int concurrency, AemHandlerScheduler scheduler, boolean stopOnError) {
}
