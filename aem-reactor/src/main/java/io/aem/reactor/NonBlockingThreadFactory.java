package io.aem.reactor;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Makes {@link NonBlockingLoopThread}s, daemon, with a fixed name: one per event loop.
 */
public final class NonBlockingThreadFactory implements ThreadFactory {
    private final String name;

    /**
     * Creates the factory.
     *
     * @param name the thread name, usually the loop's name
     */
    public NonBlockingThreadFactory(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public Thread newThread(Runnable loop) {
        return new NonBlockingLoopThread(loop, name);
    }
}
