package io.aem.reactor;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Makes {@link NonBlockingLoopThread}s, daemon, with a fixed name: one per event loop. Each
 * thread's uncaught-exception handler logs through {@link System.Logger} at {@code ERROR}: that
 * is where Reactor's scheduler error handling reports a task's exception (and where it would
 * otherwise be printed to standard error).
 */
public final class NonBlockingThreadFactory implements ThreadFactory {
    private static final System.Logger LOG = System.getLogger(NonBlockingThreadFactory.class.getName());
    private static final Thread.UncaughtExceptionHandler LOGGING_HANDLER = (thread, error) ->
            LOG.log(System.Logger.Level.ERROR, "uncaught exception on event loop thread '" + thread.getName() + "'", error);
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
        Thread thread = new NonBlockingLoopThread(loop, name);
        thread.setUncaughtExceptionHandler(LOGGING_HANDLER);
        return thread;
    }
}
