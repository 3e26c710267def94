package io.aem.reactor;

import reactor.core.scheduler.NonBlocking;

/**
 * The thread of an AEM event loop, marked {@link NonBlocking} so that Reactor's blocking
 * operators ({@code block()}, {@code blockFirst()}, {@code toIterable()}) fail fast with an
 * {@link IllegalStateException} when called on it instead of stalling every stream of the loop.
 * Move blocking work off the loop with {@code publishOn(Schedulers.boundedElastic())}.
 */
public final class NonBlockingLoopThread extends Thread implements NonBlocking {
    NonBlockingLoopThread(Runnable loop, String name) {
        super(loop, name);
        setDaemon(true);
    }
}
