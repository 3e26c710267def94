package io.aem.linux.testing;

import io.aem.linux.loop.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Reads loop-thread-only state of an {@link EventLoop} from a test thread, through a task on the loop. */
public final class LoopProbe {
    private LoopProbe() {
    }

    /** Runs {@code query} on the loop and returns its answer, waiting up to five seconds. */
    public static <T> T onLoop(EventLoop loop, Supplier<T> query) {
        try {
            return CompletableFuture.supplyAsync(query, loop).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while querying loop '" + loop.name() + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("loop '" + loop.name() + "' did not answer within 5 s", e);
        }
    }

    /** {@link EventLoop#registrationCount()}, read on the loop thread. */
    public static int registrationCount(EventLoop loop) {
        return onLoop(loop, loop::registrationCount);
    }

    /**
     * Waits until the loop has run every task queued before this call: after it returns, work
     * handed over earlier (a cancel's release, a request's resume) has happened.
     */
    public static void drainTasks(EventLoop loop) {
        onLoop(loop, () -> Boolean.TRUE);
    }
}
