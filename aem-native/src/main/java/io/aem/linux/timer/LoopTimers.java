package io.aem.linux.timer;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.sys.Clock;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.TimerFd;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Millions of timers on one {@link EventLoop}, driven by one {@code timerfd}: a hierarchical
 * timer wheel (9 levels of 64 slots over ticks of {@link #tickNanos()}, 524,288 ns by default)
 * whose earliest non-empty slot is the one deadline the kernel holds, armed as an absolute
 * {@code CLOCK_MONOTONIC} time (the clock of {@link System#nanoTime()}).
 *
 * <p><b>Accuracy.</b> A timer never runs before its deadline; when the loop is idle it runs
 * within one tick after it (plus the kernel's wake-up latency). Deadlines are rounded up to the
 * next tick, so two timers in one tick run in no particular order; timers in different ticks run
 * in deadline order. A deadline already passed when the timer is scheduled (a delay of zero
 * included) runs on the next tick: hand work that should run now to {@link EventLoop#execute}.
 *
 * <p><b>Costs.</b> Scheduling and cancelling are {@code O(1)} whatever the delay (microseconds or
 * years) and the number pending; a pending timer holds 24 bytes of heap and no object (the
 * {@code long} handle is a value), plus the task the caller passes. While timers wait, the loop
 * does no work for them: the kernel wakes it at the next slot that has a timer, and a timer is
 * moved down a level at most 8 times in its life. At most 16,384 timers run per loop turn, so a
 * burst of expiries does not starve the loop's other events. One fd and one page of 4,096
 * entries (96 KiB) per instance; pages of entries are released as soon as they empty.
 *
 * <p><b>Which timer.</b> Use this wheel for many timers on the monotonic clock: timeouts, retries,
 * idle checks, a Reactor {@code Scheduler}'s delays. Use {@link io.aem.linux.event.KernelTimer}
 * (its own {@code timerfd}: about 500 bytes of kernel memory and one fd each) for a timer that
 * needs its own kernel clock ({@code BOOTTIME} across suspend, {@code REALTIME} with
 * cancel-on-set, the {@code *_ALARM} clocks), nanosecond precision, or expirations counted by
 * the kernel itself.
 *
 * <p><b>Threading.</b> The {@code long}-handle methods ({@link #schedule}, {@link #scheduleAt},
 * {@link #schedulePeriodic}, {@link #cancel}, {@link #pending()}) are the cheapest path and
 * belong to the loop thread: from another thread they throw {@link IllegalStateException}.
 * {@link #newTimeout} and {@link #newPeriodic} may be called from any thread. Tasks run on the
 * loop thread; a task that throws is logged and the loop goes on.
 *
 * <p><b>Shutdown.</b> {@link #close()}, or the loop's close, drops every pending timer (they never
 * run) and closes the {@code timerfd}, once.
 */
public final class LoopTimers implements AutoCloseable {
    /** The default tick: {@code 2^19} ns. */
    public static final Duration DEFAULT_TICK = Duration.ofNanos(1L << 19);
    /** Delays are capped at {@code 2^62} ns (about 146 years). */
    private static final long MAX_DELAY_NANOS = 1L << 62;
    private static final int MIN_TICK_SHIFT = 10;
    private static final int MAX_TICK_SHIFT = 30;
    private static final int BUDGET_PER_TURN = 16_384;
    private static final System.Logger LOG = System.getLogger(LoopTimers.class.getName());

    private final EventLoop loop;
    private final OwnedFd fd;
    private final Memory scratch = new Memory(TimerFd.ITIMERSPEC_SIZE);
    private final TimerWheel wheel = new TimerWheel();
    private final int shift;
    private final long tickNanos;
    private final long origin;
    private final Runnable drainTask = this::drain;
    private final TimerWheel.Expiry expiry = this::expired;
    /** Live {@link WheelTimer} subscriptions, ended when the wheel closes. Loop thread. */
    private final Set<WheelTimerSubscription> subscriptions = new HashSet<>();
    private Registration registration;
    /** The tick the timerfd is armed for, {@link TimerWheel#NONE} if it is not. */
    private long armedTick = TimerWheel.NONE;
    /** The last absolute time the timerfd was armed for; read by tests on the loop thread. */
    private long lastArmedNanos;
    private boolean advancing;
    private boolean drainQueued;
    private volatile boolean closed;

    private LoopTimers(EventLoop loop, OwnedFd fd, int shift) {
        this.loop = loop;
        this.fd = fd;
        this.shift = shift;
        this.tickNanos = 1L << shift;
        this.origin = System.nanoTime() - tickNanos;
    }

    /**
     * Opens a wheel with the {@linkplain #DEFAULT_TICK default tick} on a loop.
     *
     * @param loop the loop whose thread runs the timers
     * @return the open wheel, registered on the loop when this returns
     * @throws KernelException          if {@code timerfd_create} or {@code epoll_ctl} refuses (the fd
     *                                  limit gives {@link io.aem.linux.ResourceLimitException})
     * @throws EventLoopClosedException if the loop is closed
     */
    public static LoopTimers open(EventLoop loop) throws KernelException {
        return open(loop, DEFAULT_TICK);
    }

    /**
     * Opens a wheel on a loop.
     *
     * @param loop the loop whose thread runs the timers
     * @param tick the resolution, rounded up to a power of two of nanoseconds between
     *             {@code 2^10} ns (about 1 µs) and {@code 2^30} ns (about 1.07 s). A finer tick
     *             makes timers more punctual and wakes the loop more often when deadlines are dense
     * @return the open wheel, registered on the loop when this returns
     * @throws KernelException          if {@code timerfd_create} or {@code epoll_ctl} refuses
     * @throws EventLoopClosedException if the loop is closed
     */
    public static LoopTimers open(EventLoop loop, Duration tick) throws KernelException {
        Objects.requireNonNull(loop, "loop");
        int shift = shiftFor(tick);
        int r = TimerFd.create(Clock.MONOTONIC);
        if (r < 0) {
            throw Errno.exception("timerfd_create(CLOCK_MONOTONIC)", -r, null);
        }
        LoopTimers timers = new LoopTimers(loop, new OwnedFd(r, "timerfd (timer wheel of loop '" + loop.name() + "')"), shift);
        if (loop.inEventLoop()) {
            timers.register();
            return timers;
        }
        CompletableFuture<Void> registered = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    timers.register();
                    registered.complete(null);
                } catch (Throwable t) {
                    registered.completeExceptionally(t);
                }
            });
        } catch (EventLoopClosedException e) {
            timers.releaseNative();
            throw e;
        }
        try {
            registered.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof KernelException k) {
                throw k;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        if (timers.registration == null) {
            throw new EventLoopClosedException(loop.name(), "the timer wheel could not be registered");
        }
        return timers;
    }

    /** The loop whose thread runs the timers. */
    public EventLoop loop() {
        return loop;
    }

    /** The wheel's resolution in nanoseconds (a power of two). */
    public long tickNanos() {
        return tickNanos;
    }

    /** Whether {@link #close()} ran or the loop closed. Any thread. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs a task once after a delay. Loop thread only.
     *
     * @param task  the task, run on the loop thread
     * @param delay {@code >= 0}; capped at about 146 years
     * @param unit  the delay's unit
     * @return the handle for {@link #cancel}; a value, not an object, and never {@code 0}
     * @throws IllegalStateException    off the loop thread, or after close
     * @throws IllegalArgumentException for a negative delay
     */
    public long schedule(Runnable task, long delay, TimeUnit unit) {
        checkLoop();
        Objects.requireNonNull(task, "task");
        return insert(task, deadlineAfter(delay, unit));
    }

    /**
     * Runs a task once at a deadline. Loop thread only.
     *
     * @param task          the task, run on the loop thread
     * @param deadlineNanos on the {@link System#nanoTime()} clock; a past one runs on the next tick
     * @return the handle for {@link #cancel}
     * @throws IllegalStateException off the loop thread, or after close
     */
    public long scheduleAt(Runnable task, long deadlineNanos) {
        checkLoop();
        Objects.requireNonNull(task, "task");
        return insert(task, deadlineNanos);
    }

    /**
     * Calls a handler at a fixed rate: first after {@code initialDelay}, then every
     * {@code period} on the grid {@code first + k * period}; periods missed while the loop was
     * busy coalesce into one call that counts them. Loop thread only.
     *
     * @param handler      called on the loop thread
     * @param initialDelay {@code >= 0}
     * @param period       {@code > 0}
     * @param unit         the unit of both
     * @return the handle for {@link #cancel}, valid until cancelled (also from inside the handler)
     * @throws IllegalStateException    off the loop thread, or after close
     * @throws IllegalArgumentException for a negative delay or a period that is not positive
     */
    public long schedulePeriodic(TickHandler handler, long initialDelay, long period, TimeUnit unit) {
        checkLoop();
        Objects.requireNonNull(handler, "handler");
        long periodNanos = periodNanos(period, unit);
        long first = deadlineAfter(initialDelay, unit);
        return insert(new PeriodicTimer(handler, first, periodNanos), first);
    }

    /**
     * Cancels a timer: it will not run (again) and its entry is freed at once. Loop thread only.
     *
     * @param handle from {@link #schedule}, {@link #scheduleAt} or {@link #schedulePeriodic}
     * @return {@code true} if it was pending (or is a periodic timer inside its own handler);
     *         {@code false} for a timer that already ran, was cancelled, or a handle that is not
     *         one of this wheel's
     * @throws IllegalStateException off the loop thread
     */
    public boolean cancel(long handle) {
        loopOnly();
        return wheel.cancel(handle);
    }

    /** Timers pending (periodic ones count while they run). Loop thread only. */
    public int pending() {
        loopOnly();
        return wheel.size();
    }

    /**
     * Entries of heap the wheel holds, in pages of 4,096 (24 bytes each), for memory accounting.
     * Loop thread only.
     */
    public long capacity() {
        loopOnly();
        return wheel.entries().capacity();
    }

    /**
     * Runs a task once after a delay; any thread. From another thread the insertion is handed
     * to the loop.
     *
     * @param task  the task, run on the loop thread
     * @param delay {@code >= 0}
     * @param unit  the delay's unit
     * @return the timeout, which any thread may cancel
     * @throws EventLoopClosedException if the loop is closed
     * @throws IllegalStateException    if this wheel is closed
     */
    public WheelTimeout newTimeout(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        WheelTimeout timeout = new WheelTimeout(this, task, deadlineAfter(delay, unit), 0);
        submit(timeout);
        return timeout;
    }

    /**
     * Runs a task at a fixed rate, as {@link #schedulePeriodic}, until cancelled; any thread.
     * Periods missed while the loop was busy coalesce into one run.
     *
     * @param task         the task, run on the loop thread
     * @param initialDelay {@code >= 0}
     * @param period       {@code > 0}
     * @param unit         the unit of both
     * @return the timeout, which any thread may cancel
     * @throws EventLoopClosedException if the loop is closed
     * @throws IllegalStateException    if this wheel is closed
     */
    public WheelTimeout newPeriodic(Runnable task, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long periodNanos = periodNanos(period, unit);
        WheelTimeout timeout = new WheelTimeout(this, task, deadlineAfter(initialDelay, unit), periodNanos);
        submit(timeout);
        return timeout;
    }

    /**
     * Drops every pending timer (none of them runs) and closes the {@code timerfd}. Any thread;
     * from another thread the work is handed to the loop. Idempotent; also done by the loop's
     * close.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (loop.inEventLoop()) {
            shutdown(null);
            return;
        }
        try {
            loop.execute(() -> shutdown(null));
        } catch (EventLoopClosedException alreadyClosing) {
            // the loop's own shutdown closes the wheel through onLoopClosed
        }
    }

    @Override
    public String toString() {
        return "LoopTimers[loop " + loop.name() + ", tick " + tickNanos + " ns" + (closed ? ", closed]" : "]");
    }

    /** Removes a cancelled timeout's entry; from another thread, on the loop. */
    void remove(WheelTimeout timeout) {
        if (loop.inEventLoop()) {
            if (timeout.handle() != 0) {
                wheel.cancel(timeout.handle());
            }
            return;
        }
        try {
            loop.execute(() -> {
                if (timeout.handle() != 0 && !closed) {
                    wheel.cancel(timeout.handle());
                }
            });
        } catch (EventLoopClosedException gone) {
            // the wheel is dropped with the loop
        }
    }

    private void submit(WheelTimeout timeout) {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (loop.inEventLoop()) {
            insertTimeout(timeout);
        } else {
            loop.execute(() -> {
                if (!closed && !timeout.isCancelled()) {
                    insertTimeout(timeout);
                }
            });
        }
    }

    private void insertTimeout(WheelTimeout timeout) {
        Object payload = timeout;
        if (timeout.periodNanos() > 0) {
            payload = new PeriodicTimer(n -> {
                if (!timeout.isCancelled()) {
                    timeout.task().run();
                }
            }, timeout.deadlineNanos(), timeout.periodNanos());
        }
        timeout.handle(insert(payload, timeout.deadlineNanos()));
    }

    private long insert(Object payload, long deadlineNanos) {
        if (!advancing) {
            wheel.catchUp(nowTick());
        }
        long when = tickFor(deadlineNanos);
        long handle = wheel.insert(payload, when);
        if (!advancing && when < armedTick) {
            arm();
        }
        return handle;
    }

    private void expired(int index, Object payload) {
        if (payload instanceof PeriodicTimer periodic) {
            long expirations = periodic.expire(System.nanoTime());
            try {
                periodic.handler.onTick(expirations);
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "periodic timer on loop '" + loop.name() + "' threw; it stays scheduled", t);
            }
            if (!closed) {
                wheel.rearm(index, tickFor(periodic.nextDeadline));
            }
            return;
        }
        wheel.release(index);
        Runnable task;
        if (payload instanceof WheelTimeout timeout) {
            if (!timeout.claimRun()) {
                return;
            }
            task = timeout.task();
        } else {
            task = (Runnable) payload;
        }
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "timer task on loop '" + loop.name() + "' threw; the loop goes on", t);
        }
    }

    private void register() throws KernelException {
        registration = loop.register(fd, Epoll.EPOLLIN, new ReadyHandler() {
            @Override
            public void onReady(int readyEvents) {
                Io.read(fd.get(), scratch, 8);
                armedTick = TimerWheel.NONE;
                drain();
            }

            @Override
            public void onLoopClosed(EventLoopClosedException cause) {
                shutdown(cause);
            }
        });
    }

    private void drain() {
        drainQueued = false;
        if (closed) {
            return;
        }
        boolean done;
        advancing = true;
        try {
            done = wheel.advance(nowTick(), BUDGET_PER_TURN, expiry);
        } finally {
            advancing = false;
        }
        if (closed) {
            return;
        }
        if (done) {
            arm();
        } else if (!drainQueued) {
            drainQueued = true;
            loop.execute(drainTask);
        }
    }

    /** Arms the timerfd for the wheel's next expiry if that differs from what it holds. */
    private void arm() {
        long next = wheel.nextExpiration();
        if (next == TimerWheel.NONE || next == armedTick) {
            return;
        }
        int r = TimerFd.setTime(fd.get(), TimerFd.TFD_TIMER_ABSTIME, origin + (next << shift), 0, scratch);
        if (r < 0) {
            LOG.log(Level.ERROR, "timerfd_settime of the timer wheel on loop '" + loop.name() + "' failed: "
                    + Errno.describe(-r) + "; timers run when the loop next wakes");
            return;
        }
        armedTick = next;
        lastArmedNanos = origin + (next << shift);
    }

    /** The absolute {@code CLOCK_MONOTONIC} time the timerfd was last armed for. Loop thread. */
    long lastArmedNanos() {
        return lastArmedNanos;
    }

    /** Loop thread: registers a live wheel-timer stream to be ended at close. */
    void track(WheelTimerSubscription subscription) {
        subscriptions.add(subscription);
    }

    void untrack(WheelTimerSubscription subscription) {
        subscriptions.remove(subscription);
    }

    private void shutdown(EventLoopClosedException loopClosed) {
        if (closed) {
            return;
        }
        closed = true;
        wheel.clear();
        if (registration != null) {
            registration.cancel();
        }
        releaseNative();
        Throwable cause = loopClosed != null ? loopClosed : new IllegalStateException(this + " was closed");
        for (WheelTimerSubscription s : List.copyOf(subscriptions)) {
            s.closed(cause);
        }
        subscriptions.clear();
    }

    private void releaseNative() {
        closed = true;
        fd.close();
        scratch.close();
    }

    private long nowTick() {
        return (System.nanoTime() - origin) >> shift;
    }

    private long tickFor(long deadlineNanos) {
        long relative = deadlineNanos - origin;
        if (relative <= 0) {
            return 0;
        }
        return (relative + tickNanos - 1) >>> shift;
    }

    private static long deadlineAfter(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (delay < 0) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay + " " + unit);
        }
        return System.nanoTime() + Math.min(unit.toNanos(delay), MAX_DELAY_NANOS);
    }

    private static long periodNanos(long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (period <= 0) {
            throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit
                    + "; for work that repeats as fast as possible, re-submit it with EventLoop.execute");
        }
        return Math.min(unit.toNanos(period), MAX_DELAY_NANOS);
    }

    private static int shiftFor(Duration tick) {
        Objects.requireNonNull(tick, "tick");
        long nanos = tick.toNanos();
        if (nanos <= 0) {
            throw new IllegalArgumentException("tick must be positive, was " + tick);
        }
        int shift = 64 - Long.numberOfLeadingZeros(nanos - 1);
        if (shift < MIN_TICK_SHIFT || shift > MAX_TICK_SHIFT) {
            throw new IllegalArgumentException("tick must be between 2^" + MIN_TICK_SHIFT + " ns and 2^"
                    + MAX_TICK_SHIFT + " ns, was " + tick);
        }
        return shift;
    }

    private void checkLoop() {
        loopOnly();
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void loopOnly() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("must be called on the thread of event loop '" + loop.name()
                    + "', was called on '" + Thread.currentThread().getName()
                    + "'; use newTimeout()/newPeriodic() or hand the work over with EventLoop.execute()");
        }
    }
}
