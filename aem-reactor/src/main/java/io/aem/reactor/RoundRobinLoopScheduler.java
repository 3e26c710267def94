package io.aem.reactor;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A Reactor {@link Scheduler} over every loop of an {@link Aem}, one {@link LoopScheduler} per
 * loop: each direct task and each worker goes to the next loop in turn, as
 * {@code Schedulers.parallel()} spreads them over its threads. A worker stays on its loop. Get
 * one from {@link Aem#scheduler()}.
 *
 * <p>Tasks, timing, errors, threading and costs are those of {@link LoopScheduler}; picking the
 * loop costs one atomic increment. {@link #dispose()} disposes every per-loop scheduler and
 * leaves the loops running.
 */
public final class RoundRobinLoopScheduler implements Scheduler {
    private final List<LoopScheduler> schedulers;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinLoopScheduler(List<LoopScheduler> schedulers) {
        if (schedulers.isEmpty()) {
            throw new IllegalArgumentException("at least one loop scheduler is needed");
        }
        this.schedulers = List.copyOf(schedulers);
    }

    /** The per-loop schedulers, in the order of the Aem's loops. */
    public List<LoopScheduler> schedulers() {
        return schedulers;
    }

    private LoopScheduler nextScheduler() {
        return schedulers.get(Math.floorMod(next.getAndIncrement(), schedulers.size()));
    }

    /** {@link LoopScheduler#schedule(Runnable)} on the next loop. */
    @Override
    public Disposable schedule(Runnable task) {
        return nextScheduler().schedule(task);
    }

    /** {@link LoopScheduler#schedule(Runnable, long, TimeUnit)} on the next loop. */
    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return nextScheduler().schedule(task, delay, unit);
    }

    /** {@link LoopScheduler#schedulePeriodically} on the next loop. */
    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return nextScheduler().schedulePeriodically(task, initialDelay, period, unit);
    }

    /** As {@link LoopScheduler#now(TimeUnit)}. */
    @Override
    public long now(TimeUnit unit) {
        return Scheduler.super.now(unit);
    }

    /** A worker on the next loop; see {@link LoopScheduler#createWorker()}. */
    @Override
    public Worker createWorker() {
        return nextScheduler().createWorker();
    }

    /**
     * Opens every loop's timer wheel; see {@link LoopScheduler#init()}.
     *
     * @throws IllegalStateException if the scheduler is disposed
     */
    @Override
    public void init() {
        if (isDisposed()) {
            throw new IllegalStateException("RoundRobinLoopScheduler is disposed and cannot be restarted");
        }
        schedulers.forEach(LoopScheduler::init);
    }

    /** Disposes every per-loop scheduler; see {@link LoopScheduler#dispose()}. Idempotent. */
    @Override
    public void dispose() {
        schedulers.forEach(LoopScheduler::dispose);
    }

    /** Disposes every per-loop scheduler and completes when each has; see {@link LoopScheduler#disposeGracefully()}. */
    @Override
    public Mono<Void> disposeGracefully() {
        return Flux.fromIterable(schedulers).flatMap(LoopScheduler::disposeGracefully).then();
    }

    /** Whether every per-loop scheduler is disposed. */
    @Override
    public boolean isDisposed() {
        return schedulers.stream().allMatch(LoopScheduler::isDisposed);
    }

    @Override
    public String toString() {
        return "RoundRobinLoopScheduler" + schedulers;
    }
}
