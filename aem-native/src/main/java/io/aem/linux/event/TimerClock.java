package io.aem.linux.event;

import io.aem.linux.sys.Clock;

/**
 * The kernel clocks a {@link KernelTimer} can run on.
 */
public enum TimerClock {
    /** Monotonic, stops during suspend; the clock of {@link System#nanoTime()}. */
    MONOTONIC(Clock.MONOTONIC, false),
    /** Monotonic, counts time spent in suspend. */
    BOOTTIME(Clock.BOOTTIME, false),
    /** Wall-clock time; absolute deadlines follow clock changes, which can be reported. */
    REALTIME(Clock.REALTIME, false),
    /** Wall-clock time that wakes a suspended system; needs {@code CAP_WAKE_ALARM}. */
    REALTIME_ALARM(Clock.REALTIME_ALARM, true),
    /** Boot time that wakes a suspended system; needs {@code CAP_WAKE_ALARM}. */
    BOOTTIME_ALARM(Clock.BOOTTIME_ALARM, true);

    private final int id;
    private final boolean alarm;

    TimerClock(int id, boolean alarm) {
        this.id = id;
        this.alarm = alarm;
    }

    /** The kernel's clock id. */
    public int id() {
        return id;
    }

    /** Whether the clock wakes a suspended system and so needs {@code CAP_WAKE_ALARM}. */
    public boolean isAlarm() {
        return alarm;
    }

    /** Whether the clock is wall-clock time, which can be set (and so can report a change). */
    public boolean isWallClock() {
        return this == REALTIME || this == REALTIME_ALARM;
    }
}
