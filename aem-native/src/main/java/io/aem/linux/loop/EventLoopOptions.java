package io.aem.linux.loop;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * How an {@link EventLoop} is built: its name, the thread factory, CPU affinity and real-time
 * policy (AEM's event affinity and priority), and the size of one {@code epoll_wait} batch.
 * Immutable; each {@code with*} method returns a copy. Validation of values happens here, so a
 * bad option fails before any thread or fd exists.
 */
public final class EventLoopOptions {
    private static final EventLoopOptions DEFAULTS =
            new EventLoopOptions("aem-loop", null, new int[0], null, 0, 512);

    private final String name;
    private final ThreadFactory threadFactory;
    private final int[] cpuAffinity;
    private final RealtimePolicy realtimePolicy;
    private final int realtimePriority;
    private final int maxEventsPerWait;

    private EventLoopOptions(String name, ThreadFactory threadFactory, int[] cpuAffinity,
                             RealtimePolicy realtimePolicy, int realtimePriority, int maxEventsPerWait) {
        this.name = name;
        this.threadFactory = threadFactory;
        this.cpuAffinity = cpuAffinity;
        this.realtimePolicy = realtimePolicy;
        this.realtimePriority = realtimePriority;
        this.maxEventsPerWait = maxEventsPerWait;
    }

    /** Defaults: name {@code aem-loop}, a plain daemon thread, no affinity, default policy, 512 events per wait. */
    public static EventLoopOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The loop's name, used for its thread and in every error message.
     *
     * @param name non-empty
     * @return a copy with the name
     */
    public EventLoopOptions withName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event loop name must not be blank");
        }
        return new EventLoopOptions(name, threadFactory, cpuAffinity, realtimePolicy, realtimePriority, maxEventsPerWait);
    }

    /**
     * The factory of the loop's single thread. aem-reactor passes one whose threads are marked
     * {@code reactor.core.scheduler.NonBlocking}. {@code null} means a daemon thread named after the loop.
     *
     * @param threadFactory the factory, or {@code null}
     * @return a copy with the factory
     */
    public EventLoopOptions withThreadFactory(ThreadFactory threadFactory) {
        return new EventLoopOptions(name, threadFactory, cpuAffinity, realtimePolicy, realtimePriority, maxEventsPerWait);
    }

    /**
     * Pins the loop thread to these CPUs with {@code sched_setaffinity}. Empty means no pinning.
     *
     * @param cpus CPU numbers in {@code [0, 1024)}
     * @return a copy with the affinity
     */
    public EventLoopOptions withCpuAffinity(int... cpus) {
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= 1024) {
                throw new IllegalArgumentException("CPU number " + cpu + " is outside [0, 1024)");
            }
        }
        return new EventLoopOptions(name, threadFactory, cpus.clone(), realtimePolicy, realtimePriority, maxEventsPerWait);
    }

    /**
     * Runs the loop thread under a real-time policy with {@code sched_setscheduler}.
     *
     * @param policy   the policy
     * @param priority the static priority, 1 (lowest) to 99
     * @return a copy with the policy
     */
    public EventLoopOptions withRealtime(RealtimePolicy policy, int priority) {
        Objects.requireNonNull(policy, "policy");
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("real-time priority must be between 1 and 99, was " + priority);
        }
        return new EventLoopOptions(name, threadFactory, cpuAffinity, policy, priority, maxEventsPerWait);
    }

    /**
     * The most events one {@code epoll_wait} returns; more ready fds are served on the next turn.
     *
     * @param maxEventsPerWait at least 1
     * @return a copy with the size
     */
    public EventLoopOptions withMaxEventsPerWait(int maxEventsPerWait) {
        if (maxEventsPerWait < 1) {
            throw new IllegalArgumentException("maxEventsPerWait must be at least 1, was " + maxEventsPerWait);
        }
        return new EventLoopOptions(name, threadFactory, cpuAffinity, realtimePolicy, realtimePriority, maxEventsPerWait);
    }

    /** The loop's name. */
    public String name() {
        return name;
    }

    /** The thread factory, or {@code null} for the default. */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /** The CPUs to pin to; empty for none. */
    public int[] cpuAffinity() {
        return cpuAffinity.clone();
    }

    /** The real-time policy, or {@code null} for the default time-sharing policy. */
    public RealtimePolicy realtimePolicy() {
        return realtimePolicy;
    }

    /** The real-time priority; {@code 0} without a real-time policy. */
    public int realtimePriority() {
        return realtimePriority;
    }

    /** The most events one {@code epoll_wait} returns. */
    public int maxEventsPerWait() {
        return maxEventsPerWait;
    }

    @Override
    public String toString() {
        return "EventLoopOptions[name=" + name + ", cpuAffinity=" + Arrays.toString(cpuAffinity)
                + ", realtime=" + (realtimePolicy == null ? "none" : realtimePolicy + "/" + realtimePriority)
                + ", maxEventsPerWait=" + maxEventsPerWait + "]";
    }
}
