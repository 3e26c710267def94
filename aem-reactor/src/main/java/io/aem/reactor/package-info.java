/**
 * Project Reactor faces of the AEM event sources: the {@link io.aem.reactor.Aem} entry point, the
 * source {@code Flux} ({@link io.aem.reactor.FluxEventSource}), loop threads marked
 * {@code reactor.core.scheduler.NonBlocking}, and Reactor {@code Scheduler}s that run tasks on the
 * loops with delays from each loop's timer wheel ({@link io.aem.reactor.LoopScheduler},
 * {@link io.aem.reactor.RoundRobinLoopScheduler}).
 */
package io.aem.reactor;
