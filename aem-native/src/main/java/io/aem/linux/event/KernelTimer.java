package io.aem.linux.event;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.OwnedFd;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Clock;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.TimerFd;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A kernel timer on its own {@code timerfd(2)}: one-shot or periodic, on any kernel clock (AEM's
 * aem-timer). Each subscription creates and arms its own timerfd; a one-shot timer's stream
 * completes after its tick, a periodic one runs until cancelled.
 *
 * <p><b>Coalescing, never dropping.</b> The kernel counts expirations; the subscriber receives
 * the count with each {@link TimerTick}. Without demand the timerfd is not read and the count
 * keeps growing, arriving as one tick whose {@code expirations} is the sum when demand returns.
 *
 * <p><b>Errors</b>, as the stream's {@code onError}: an alarm clock without
 * {@code CAP_WAKE_ALARM} gives {@link MissingPrivilegeException}; a clock the kernel lacks gives
 * {@link UnsupportedKernelFeatureException}; an absolute deadline already passed when the timer
 * is armed gives {@link IllegalArgumentException}; the fd limit gives
 * {@link io.aem.linux.ResourceLimitException} naming {@code RLIMIT_NOFILE}.
 *
 * <p>Costs: one fd and about 500 bytes of kernel memory per subscription, one 8-byte read per
 * delivery. Pick it for a timer that needs its own kernel clock ({@code BOOTTIME} across
 * suspend, {@code REALTIME} with cancel-on-set, the {@code *_ALARM} clocks), nanosecond
 * precision, or an absolute wall-clock deadline. For many timers on the monotonic clock
 * (timeouts, retries, a scheduler's delays) use {@link io.aem.linux.timer.LoopTimers}: one
 * timerfd per loop drives a timer wheel at 24 bytes of heap per timer, to a resolution of one
 * tick (0.52 ms by default).
 */
public final class KernelTimer implements EventSource<TimerTick> {
    /** Written into the batch in place of an expiration count when a read reports a clock change. */
    private static final long CLOCK_CHANGED = 0;

    private final TimerSpec spec;

    /**
     * Creates the source; nothing happens in the kernel until a subscriber arrives.
     *
     * @param spec what the timer does
     */
    public KernelTimer(TimerSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** The timer's specification. */
    public TimerSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.toString();
    }

    @Override
    public OwnedFd open(SourceContext context) throws KernelException {
        TimerClock clock = spec.clock();
        int r = TimerFd.create(clock.id());
        if (r < 0) {
            throw createFailure(clock, -r);
        }
        OwnedFd fd = new OwnedFd(r, "timerfd (" + clock + ")");
        try {
            arm(fd.get());
        } catch (RuntimeException | KernelException e) {
            fd.close();
            throw e;
        }
        return fd;
    }

    private void arm(int fd) throws KernelException {
        int flags = 0;
        if (spec.isAbsolute()) {
            flags |= TimerFd.TFD_TIMER_ABSTIME;
            long now = Clock.nanos(spec.clock().id());
            if (now >= 0 && spec.initialNanos() <= now) {
                throw new IllegalArgumentException("timer deadline " + spec.initialNanos() + " ns on " + spec.clock()
                        + " has already passed (now " + now + " ns, " + Duration.ofNanos(now - spec.initialNanos())
                        + " ago); pick a deadline in the future or a relative delay (TimerSpec.after)");
            }
        }
        if (spec.reportsClockChanges()) {
            flags |= TimerFd.TFD_TIMER_CANCEL_ON_SET;
        }
        int r;
        try (Memory scratch = new Memory(TimerFd.ITIMERSPEC_SIZE)) {
            r = TimerFd.setTime(fd, flags, spec.initialNanos(), spec.periodNanos(), scratch);
        }
        if (r < 0) {
            throw Errno.exception("timerfd_settime", -r, null);
        }
    }

    private static KernelException createFailure(TimerClock clock, int errno) {
        if (clock.isAlarm() && (errno == Errno.EPERM || errno == Errno.EACCES)) {
            return new MissingPrivilegeException("timerfd_create(" + clock + ")", errno, "CAP_WAKE_ALARM",
                    "alarm clocks wake a suspended system; grant CAP_WAKE_ALARM (setcap cap_wake_alarm+ep, or"
                            + " AmbientCapabilities= in a systemd unit) or use " + (clock == TimerClock.REALTIME_ALARM
                            ? TimerClock.REALTIME : TimerClock.BOOTTIME));
        }
        if (errno == Errno.EINVAL || errno == Errno.EOPNOTSUPP || errno == Errno.ENOSYS) {
            return new UnsupportedKernelFeatureException("timerfd_create(" + clock + ")", errno, "clock " + clock,
                    clock.isAlarm() ? "alarm timers need a wake-capable RTC (CONFIG_RTC_CLASS)" : "use MONOTONIC");
        }
        return Errno.exception("timerfd_create(" + clock + ")", errno, null);
    }

    @Override
    public int batchSize() {
        return 8;
    }

    /** One read takes every expiration counted so far. */
    @Override
    public boolean oneReadEmptiesFd() {
        return true;
    }

    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Io.read(fd.get(), buffer.address(), 8);
            if (n == 8) {
                return 8;
            }
            if (n == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (n == -Errno.ECANCELED) {
                buffer.buffer().putLong(0, CLOCK_CHANGED);
                return 8;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read(timerfd)", (int) -n, name());
            }
        }
    }

    @Override
    public TimerTick decode(ByteBuffer batch, SourceContext context) {
        long expirations = batch.getLong();
        if (expirations == CLOCK_CHANGED) {
            return new TimerTick(0, true);
        }
        if (!spec.isPeriodic()) {
            context.completeAfterBatch();
        }
        return new TimerTick(expirations, false);
    }
}
