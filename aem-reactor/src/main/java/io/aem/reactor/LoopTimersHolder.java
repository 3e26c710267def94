package io.aem.reactor;

import io.aem.linux.KernelException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.timer.LoopTimers;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The timer wheel of one loop, opened on first use and always on the loop's own thread, so that
 * the loop thread never waits for another thread to open it. Owned by the {@link Aem}, which
 * closes it before closing the loop.
 */
final class LoopTimersHolder {
    private final EventLoop loop;
    private volatile LoopTimers timers;
    private volatile boolean closed;

    LoopTimersHolder(EventLoop loop) {
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * The wheel, opened now if it is not yet. Loop thread only.
     *
     * @throws EventLoopClosedException if the holder or the loop is closed
     * @throws UncheckedIOException     wrapping the kernel's refusal of the timerfd (for example
     *                                  {@link io.aem.linux.ResourceLimitException} at the fd limit)
     */
    LoopTimers onLoop() {
        LoopTimers t = timers;
        if (closed || loop.isClosed()) {
            throw new EventLoopClosedException(loop.name(), "timer wheel rejected");
        }
        if (t != null) {
            return t;
        }
        try {
            t = LoopTimers.open(loop);
        } catch (KernelException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        timers = t;
        if (closed) {
            t.close();
        }
        return t;
    }

    /**
     * The wheel from any thread. Off the loop, the first call hands the opening to the loop and
     * waits for it.
     *
     * @throws EventLoopClosedException if the holder or the loop is closed
     * @throws UncheckedIOException     wrapping the kernel's refusal of the timerfd
     */
    LoopTimers get() {
        LoopTimers t = timers;
        if (t != null) {
            return t;
        }
        if (loop.inEventLoop()) {
            return onLoop();
        }
        CompletableFuture<LoopTimers> opened = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                opened.complete(onLoop());
            } catch (RuntimeException e) {
                opened.completeExceptionally(e);
            }
        });
        try {
            return opened.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Whether the Aem closed the wheel (it does before closing the loop). */
    boolean isClosed() {
        return closed;
    }

    /** The wheel if it has been opened, else {@code null}; any thread. */
    LoopTimers ifOpen() {
        return timers;
    }

    /** Closes the wheel if it was opened (its pending timers never run) and refuses to open it again. */
    void close() {
        closed = true;
        LoopTimers t = timers;
        if (t != null) {
            t.close();
        }
    }
}
