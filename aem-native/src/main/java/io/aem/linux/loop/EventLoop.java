package io.aem.linux.loop;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import io.aem.linux.sys.Sched;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread around a level-triggered {@code epoll_wait}: the heart of every event source.
 *
 * <p><b>Threading.</b> The loop owns one thread, made by the configured {@link ThreadFactory}.
 * Registrations, interest changes, reads and fd closes happen on that thread only, and every
 * subscriber signal of a source is delivered there (like Netty's event loops): handlers must not
 * block it. Other threads hand work over with {@link #execute(Runnable)}, which queues the task
 * and wakes the loop through an eventfd only when it is asleep in {@code epoll_wait}.
 *
 * <p><b>Errors.</b> A task or handler that throws is logged and the loop goes on; one stream's
 * failure never stops the others. A kernel failure of the loop itself ({@code epoll_wait}
 * answering anything but {@code EINTR}) closes the loop, which ends every stream with an
 * {@link EventLoopClosedException}.
 *
 * <p><b>Shutdown.</b> {@link #close()} stops accepting tasks, runs those already queued, ends
 * every live registration through {@link ReadyHandler#onLoopClosed}, then closes the epoll and
 * wake-up fds. Each fd is closed exactly once.
 *
 * <p><b>Costs.</b> One thread, one epoll fd, one eventfd, and a preallocated event array of
 * {@link EventLoopOptions#maxEventsPerWait()} entries. A cross-thread {@code execute} costs a
 * queue insertion plus, if the loop sleeps, one 8-byte {@code write}.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final long WAKE_TOKEN = -1L;
    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final int MAX_TASKS_PER_TURN = 4096;

    private final EventLoopOptions options;
    private final String name;
    private final OwnedFd epollFd;
    private final OwnedFd wakeFd;
    private final EpollEventArray events;
    private final Memory ctlScratch = new Memory(16);
    private final Memory wakeBuffer = new Memory(8);
    /** Holds the constant 1 that wakers write; shared read-only by every waking thread. */
    private final Memory wakeValue = new Memory(8);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    /** 1 while the loop is in, or about to enter, a blocking {@code epoll_wait}. */
    private final AtomicInteger sleeping = new AtomicInteger();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Set<StreamStats> streams = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    /** Live registrations by slot; a slot is emptied on deregistration so nothing outlives its stream. */
    private Registration[] slots = new Registration[64];
    /** The generation last given out in each slot, kept after the slot is emptied. */
    private int[] generations = new int[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;
    private int liveCount;
    private volatile long turns;
    private final LoopTimeouts timeouts = new LoopTimeouts();
    private final AtomicLong wakeups = new AtomicLong();

    private EventLoop(EventLoopOptions options) throws IOException {
        this.options = options;
        this.name = options.name();
        wakeValue.setLong(0, 1L);
        int ep = Epoll.create();
        if (ep < 0) {
            throw Errno.exception("epoll_create1", -ep, null);
        }
        this.epollFd = new OwnedFd(ep, "epoll (loop '" + name + "')");
        int wake = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (wake < 0) {
            epollFd.close();
            throw Errno.exception("eventfd", -wake, null);
        }
        this.wakeFd = new OwnedFd(wake, "eventfd (wake-up of loop '" + name + "')");
        this.events = new EpollEventArray(options.maxEventsPerWait());
        int r = Epoll.ctl(ep, Epoll.EPOLL_CTL_ADD, wake, Epoll.EPOLLIN, WAKE_TOKEN, ctlScratch);
        if (r < 0) {
            releaseNativeResources();
            throw Errno.exception("epoll_ctl(EPOLL_CTL_ADD)", -r, null);
        }
        ThreadFactory factory = options.threadFactory();
        Thread t;
        try {
            t = factory != null ? factory.newThread(this::run) : new Thread(this::run, name);
            if (factory == null) {
                t.setDaemon(true);
            }
        } catch (RuntimeException e) {
            releaseNativeResources();
            throw e;
        }
        if (t == null) {
            releaseNativeResources();
            throw new IllegalStateException("thread factory of event loop '" + name + "' returned no thread");
        }
        this.thread = t;
    }

    /**
     * Creates a loop and starts its thread; returns once the thread runs with the requested
     * affinity and policy.
     *
     * @param options how to build it
     * @return the running loop
     * @throws MissingPrivilegeException if the real-time policy is refused ({@code CAP_SYS_NICE} / {@code RLIMIT_RTPRIO})
     * @throws KernelException           if the kernel refuses an fd or the CPU affinity (the message names the allowed CPUs)
     * @throws IOException               for any other failure to start
     */
    public static EventLoop open(EventLoopOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        EventLoop loop = new EventLoop(options);
        loop.thread.start();
        try {
            loop.started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            loop.terminated.join();
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw new IOException("event loop '" + options.name() + "' failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            loop.close();
            if (!loop.thread.isAlive()) {
                // The factory's thread never ran the loop: nobody else will release its fds. Every
                // release is idempotent, so a thread that starts late and shuts down finds them closed.
                loop.releaseNativeResources();
            }
            throw new IOException("event loop '" + options.name() + "' thread did not start within 30 s;"
                    + " check that the thread factory starts the runnable it is given");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.close();
            throw new IOException("interrupted while starting event loop '" + options.name() + "'", e);
        }
        return loop;
    }

    /** Creates and starts a loop with default options and this name. */
    public static EventLoop open(String name) throws IOException {
        return open(EventLoopOptions.defaults().withName(name));
    }

    /** The loop's name. */
    public String name() {
        return name;
    }

    /** The options it was built with. */
    public EventLoopOptions options() {
        return options;
    }

    /** The loop's thread. */
    public Thread thread() {
        return thread;
    }

    /** Whether the caller is the loop thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /** Whether {@link #close()} has been called (or the loop failed). */
    public boolean isClosed() {
        return state.get() != RUNNING;
    }

    /** Completes when the loop thread has finished and every fd of the loop is closed. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Live registrations of this loop. Loop thread only; for tests and diagnostics. */
    public int registrationCount() {
        return liveCount;
    }

    /** Turns of the loop (one {@code epoll_wait} each) so far. Any thread. */
    public long turns() {
        return turns;
    }

    /**
     * How many times a task handed over from another thread had to wake the loop through its
     * wake-up eventfd (the loop was asleep in {@code epoll_wait}). Readiness of the streams' own
     * fds is not counted here. Any thread.
     */
    public long wakeups() {
        return wakeups.get();
    }

    /**
     * Runs a task on the loop thread, in submission order with other tasks. From the loop
     * thread itself the task is queued and runs after the current turn's events.
     *
     * @param task the task; an exception it throws is logged and does not stop the loop
     * @throws EventLoopClosedException if the loop is closed
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (state.get() == CLOSED) {
            throw new EventLoopClosedException(name, "task rejected");
        }
        tasks.offer(task);
        if (state.get() == CLOSED && tasks.remove(task)) {
            throw new EventLoopClosedException(name, "task rejected");
        }
        if (Thread.currentThread() != thread && sleeping.getAndSet(0) == 1) {
            wake();
        }
    }

    /**
     * Runs a task once on the loop thread after a delay: not before it, and within about a
     * millisecond after it when the loop is idle (the loop's {@code epoll_wait} timeout has
     * millisecond resolution). From another thread the scheduling itself is handed to the loop
     * with {@link #execute}. Tasks still pending when the loop closes never run.
     *
     * <p>Costs one heap entry, {@code O(log n)}; meant for grace and quiet periods of sources,
     * not for very many timers.
     *
     * @param task     the task; an exception it throws is logged and does not stop the loop
     * @param delay    the delay, {@code >= 0}
     * @param unit     the delay's unit
     * @return the handle that cancels it
     * @throws EventLoopClosedException if the loop is closed
     */
    public LoopTimeout schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        if (delay < 0) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay + " " + unit);
        }
        LoopTimeout timeout = timeouts.create(task, System.nanoTime() + unit.toNanos(delay));
        if (inEventLoop()) {
            if (state.get() != RUNNING) {
                throw new EventLoopClosedException(name, "timeout rejected");
            }
            timeouts.insert(timeout);
        } else {
            execute(() -> timeouts.insert(timeout));
        }
        return timeout;
    }

    /**
     * Adds an fd to the epoll set. Loop thread only.
     *
     * @param fd       the fd, owned by the caller, who must {@link Registration#cancel()} before closing it
     * @param interest the {@code EPOLL*} interest mask
     * @param handler  called on readiness and at shutdown
     * @return the registration
     * @throws KernelException          if {@code epoll_ctl} refuses
     * @throws EventLoopClosedException if the loop is closing
     */
    public Registration register(OwnedFd fd, int interest, ReadyHandler handler) throws KernelException {
        assertInLoop();
        Objects.requireNonNull(handler, "handler");
        if (state.get() != RUNNING) {
            throw new EventLoopClosedException(name, "cannot register " + fd);
        }
        int slot = allocateSlot();
        int generation = generations[slot] + 1;
        Registration reg = new Registration(this, slot, generation, fd.get(), interest, handler);
        int r = ctl(Epoll.EPOLL_CTL_ADD, reg.fd(), interest, reg.token());
        if (r < 0) {
            freeSlots[freeCount++] = slot;
            throw Errno.exception("epoll_ctl(EPOLL_CTL_ADD)", -r, null);
        }
        generations[slot] = generation;
        slots[slot] = reg;
        liveCount++;
        return reg;
    }

    /**
     * Tracks a stream's counters so that {@link #streams()} reports them. Any thread.
     *
     * @param stats the counters
     */
    public void track(StreamStats stats) {
        streams.add(stats);
    }

    /**
     * Stops tracking a stream's counters. Any thread.
     *
     * @param stats the counters
     */
    public void untrack(StreamStats stats) {
        streams.remove(stats);
    }

    /** The counters of the streams live on this loop, for metrics. Any thread; a snapshot. */
    public Collection<StreamStats> streams() {
        return List.copyOf(streams);
    }

    /**
     * Starts shutdown and, unless called on the loop thread, waits for it to finish: every live
     * stream ends with {@link EventLoopClosedException} and every fd is closed. Idempotent.
     */
    @Override
    public void close() {
        if (state.compareAndSet(RUNNING, CLOSING)) {
            if (!inEventLoop()) {
                sleeping.set(0);
                wake();
            }
        }
        if (!inEventLoop() && thread.isAlive()) {
            terminated.join();
        }
    }

    void assertInLoop() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("must be called on the thread of event loop '" + name
                    + "', was called on '" + Thread.currentThread().getName() + "'; hand the work over with execute()");
        }
    }

    int ctl(int op, int fd, int interest, long token) {
        return Epoll.ctl(epollFd.get(), op, fd, interest, token, ctlScratch);
    }

    void deregister(Registration reg) {
        int r = ctl(Epoll.EPOLL_CTL_DEL, reg.fd(), 0, 0);
        if (r < 0) {
            LOG.log(Level.DEBUG, () -> "epoll_ctl(EPOLL_CTL_DEL) of fd " + reg.fd() + " on loop '" + name + "': "
                    + Errno.describe(-r));
        }
        if (slots[reg.slot()] == reg) {
            slots[reg.slot()] = null;
            freeSlots[freeCount++] = reg.slot();
            liveCount--;
        }
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (nextSlot == slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
            generations = Arrays.copyOf(generations, generations.length * 2);
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        return nextSlot++;
    }

    private void wake() {
        wakeups.incrementAndGet();
        int fd;
        try {
            fd = wakeFd.acquire();
        } catch (IllegalStateException closed) {
            return;
        }
        try {
            Io.write(fd, wakeValue, 8);
        } finally {
            wakeFd.release();
        }
    }

    private void run() {
        try {
            applyThreadOptions();
        } catch (IOException | RuntimeException e) {
            state.set(CLOSED);
            releaseNativeResources();
            started.completeExceptionally(e);
            terminated.complete(null);
            return;
        }
        started.complete(null);
        try {
            loop();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "event loop '" + name + "' failed and is shutting down", t);
        } finally {
            shutdown();
        }
    }

    private void applyThreadOptions() throws IOException {
        int[] cpus = options.cpuAffinity();
        if (cpus.length > 0) {
            int r = Sched.setAffinity(cpus);
            if (r < 0) {
                throw new KernelException("sched_setaffinity", -r, "cannot pin loop '" + name + "' to CPUs "
                        + Arrays.toString(cpus) + "; this process may run on CPUs " + Arrays.toString(Sched.affinity())
                        + " (" + Runtime.getRuntime().availableProcessors() + " available)");
            }
        }
        RealtimePolicy policy = options.realtimePolicy();
        if (policy != null) {
            int r = Sched.setScheduler(policy.kernelPolicy(), options.realtimePriority());
            if (r == -Errno.EPERM) {
                throw new MissingPrivilegeException("sched_setscheduler", -r, "CAP_SYS_NICE or RLIMIT_RTPRIO >= "
                        + options.realtimePriority(), "loop '" + name + "' asked for " + policy + " priority "
                        + options.realtimePriority() + " (RLIMIT_RTPRIO is " + Limits.describe(Limits.rlimit(Limits.RLIMIT_RTPRIO))
                        + "); grant CAP_SYS_NICE, raise RLIMIT_RTPRIO (LimitRTPRIO=, ulimit -r), or drop the real-time option");
            }
            if (r < 0) {
                throw Errno.exception("sched_setscheduler", -r, null);
            }
        }
    }

    private void loop() throws KernelException {
        final int epfd = epollFd.get();
        while (state.get() == RUNNING) {
            runTasks();
            int timeout = timeouts.waitMillis(System.nanoTime());
            sleeping.set(1);
            if (!tasks.isEmpty() || state.get() != RUNNING) {
                timeout = 0;
            }
            int n = Epoll.wait(epfd, events, timeout);
            sleeping.set(0);
            turns++;
            if (timeout >= 0) {
                runDueTimeouts();
            }
            if (n < 0) {
                if (n == -Errno.EINTR) {
                    continue;
                }
                throw Errno.exception("epoll_wait", -n, null);
            }
            for (int i = 0; i < n; i++) {
                dispatch(events.data(i), events.events(i));
            }
        }
    }

    private void dispatch(long token, int readyEvents) {
        if (token == WAKE_TOKEN) {
            Io.read(wakeFd.get(), wakeBuffer, 8);
            return;
        }
        int slot = (int) token;
        int generation = (int) (token >>> 32);
        if (slot < 0 || slot >= slots.length) {
            return;
        }
        Registration reg = slots[slot];
        if (reg == null || !reg.isActive() || reg.generation() != generation) {
            return;
        }
        try {
            reg.handler().onReady(readyEvents);
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "handler of fd " + reg.fd() + " on loop '" + name + "' threw; the loop goes on", t);
        }
    }

    private void runDueTimeouts() {
        long now = System.nanoTime();
        LoopTimeout due;
        while ((due = timeouts.pollDue(now)) != null) {
            runTask(due.task());
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runTask(task);
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "task on loop '" + name + "' threw; the loop goes on", t);
        }
    }

    private void shutdown() {
        state.set(CLOSED);
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runTask(task);
        }
        List<Registration> live = new ArrayList<>();
        for (Registration reg : slots) {
            if (reg != null && reg.isActive()) {
                live.add(reg);
            }
        }
        EventLoopClosedException cause = new EventLoopClosedException(name, "the stream was live at shutdown");
        for (Registration reg : live) {
            try {
                reg.handler().onLoopClosed(cause);
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "handler of fd " + reg.fd() + " failed during shutdown of loop '" + name + "'", t);
            }
            reg.cancel();
        }
        timeouts.clear();
        releaseNativeResources();
        terminated.complete(null);
    }

    private void releaseNativeResources() {
        wakeFd.close();
        epollFd.close();
        if (events != null) {
            events.close();
        }
        ctlScratch.close();
        wakeBuffer.close();
        wakeValue.close();
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + (isClosed() ? ", closed]" : "]");
    }
}
