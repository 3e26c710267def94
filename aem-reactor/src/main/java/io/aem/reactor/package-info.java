/**
 * Project Reactor faces of the AEM event sources: the {@link io.aem.reactor.Aem} entry point, the
 * source {@code Flux} ({@link io.aem.reactor.FluxEventSource}) and loop threads marked
 * {@code reactor.core.scheduler.NonBlocking}.
 */
package io.aem.reactor;
