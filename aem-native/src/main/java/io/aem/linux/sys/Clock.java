package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * {@code clock_gettime(2)} and the clock ids of {@code <time.h>}.
 */
public final class Clock {
    /** {@code CLOCK_REALTIME}. */
    public static final int REALTIME = 0;
    /** {@code CLOCK_MONOTONIC}: the clock of {@link System#nanoTime()}. */
    public static final int MONOTONIC = 1;
    /** {@code CLOCK_BOOTTIME}: monotonic, counting suspend. */
    public static final int BOOTTIME = 7;
    /** {@code CLOCK_REALTIME_ALARM}: wakes a suspended system; needs {@code CAP_WAKE_ALARM}. */
    public static final int REALTIME_ALARM = 8;
    /** {@code CLOCK_BOOTTIME_ALARM}: wakes a suspended system; needs {@code CAP_WAKE_ALARM}. */
    public static final int BOOTTIME_ALARM = 9;

    private Clock() {
    }

    /**
     * Reads a clock in nanoseconds. Allocates a small buffer: for setup and checks, not per event.
     *
     * @param clockId a clock id
     * @return nanoseconds on that clock (never negative for a valid clock), or {@code -errno}
     *         for a clock id the kernel does not know
     */
    public static long nanos(int clockId) {
        try (Memory ts = new Memory(16)) {
            if (LibC.clock_gettime(clockId, ts) != 0) {
                return -Native.getLastError();
            }
            return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
        }
    }
}
