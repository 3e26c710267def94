/**
 * The event-source SPI ({@link io.aem.linux.source.EventSource}) and the machinery every source
 * shares: the subscription that maps demand to {@code EPOLLIN} interest
 * ({@link io.aem.linux.source.SourceSubscription}), the batch buffer, and the
 * {@code java.util.concurrent.Flow.Publisher} face ({@link io.aem.linux.source.SourcePublisher}).
 */
package io.aem.linux.source;
