package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * {@code timerfd_create(2)} and friends, returning {@code -errno}. {@code struct itimerspec} is
 * written by offset: interval seconds at 0, interval nanoseconds at 8, value seconds at 16,
 * value nanoseconds at 24 (64-bit {@code time_t} and {@code long}).
 */
public final class TimerFd {
    /** {@code TFD_NONBLOCK}. */
    public static final int TFD_NONBLOCK = 0x800;
    /** {@code TFD_CLOEXEC}. */
    public static final int TFD_CLOEXEC = 0x80000;
    /** {@code TFD_TIMER_ABSTIME}: the value is an absolute time on the timer's clock. */
    public static final int TFD_TIMER_ABSTIME = 1;
    /** {@code TFD_TIMER_CANCEL_ON_SET}: reads fail with {@code ECANCELED} when the realtime clock is set. */
    public static final int TFD_TIMER_CANCEL_ON_SET = 2;
    /** Size of {@code struct itimerspec}. */
    public static final int ITIMERSPEC_SIZE = 32;

    private static final long NANOS = 1_000_000_000L;

    private TimerFd() {
    }

    /** {@code timerfd_create(clockId, TFD_NONBLOCK | TFD_CLOEXEC)}: the fd or {@code -errno}. */
    public static int create(int clockId) {
        int r = LibC.timerfd_create(clockId, TFD_NONBLOCK | TFD_CLOEXEC);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * Arms the timer.
     *
     * @param fd            the timerfd
     * @param flags         {@link #TFD_TIMER_ABSTIME}, {@link #TFD_TIMER_CANCEL_ON_SET}
     * @param valueNanos    first expiry: relative, or absolute on the clock with {@code TFD_TIMER_ABSTIME}; {@code 0} disarms
     * @param intervalNanos period after the first expiry; {@code 0} for one shot
     * @param scratch       {@link #ITIMERSPEC_SIZE} bytes owned by the calling thread
     * @return {@code 0} or {@code -errno}
     */
    public static int setTime(int fd, int flags, long valueNanos, long intervalNanos, Pointer scratch) {
        scratch.setLong(0, intervalNanos / NANOS);
        scratch.setLong(8, intervalNanos % NANOS);
        scratch.setLong(16, valueNanos / NANOS);
        scratch.setLong(24, valueNanos % NANOS);
        int r = LibC.timerfd_settime(fd, flags, scratch, Pointer.NULL);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
