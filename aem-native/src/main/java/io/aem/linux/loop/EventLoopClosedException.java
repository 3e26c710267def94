package io.aem.linux.loop;

import java.util.concurrent.RejectedExecutionException;

/**
 * The event loop is shut down: a task, a subscription or a registration arrived after
 * {@link EventLoop#close()}, or a live stream was ended by the shutdown. It is a
 * {@link RejectedExecutionException}, as Reactor expects of a disposed scheduler.
 */
public class EventLoopClosedException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param loopName the loop's name
     * @param what     what was refused or ended
     */
    public EventLoopClosedException(String loopName, String what) {
        super("event loop '" + loopName + "' is closed: " + what
                + "; subscribe on a loop that is running (or create a new one) before using it");
    }
}
