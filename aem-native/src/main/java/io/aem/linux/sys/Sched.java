package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * CPU affinity and scheduling policy of the calling thread ({@code sched_setaffinity(2)},
 * {@code sched_setscheduler(2)} with pid 0), returning {@code -errno}.
 */
public final class Sched {
    /** {@code SCHED_OTHER}: the default time-sharing policy. */
    public static final int SCHED_OTHER = 0;
    /** {@code SCHED_FIFO}: real-time, first in first out. */
    public static final int SCHED_FIFO = 1;
    /** {@code SCHED_RR}: real-time, round robin. */
    public static final int SCHED_RR = 2;

    /** Bytes of the CPU mask passed to the kernel: 1024 CPUs, as glibc's {@code cpu_set_t}. */
    private static final int CPU_SET_BYTES = 128;

    private Sched() {
    }

    /**
     * Pins the calling thread to the given CPUs.
     *
     * @param cpus CPU numbers, each in {@code [0, 1024)}
     * @return {@code 0} or {@code -errno} ({@code -EINVAL} when none of them is online and allowed)
     */
    public static int setAffinity(int[] cpus) {
        try (Memory mask = new Memory(CPU_SET_BYTES)) {
            mask.clear();
            for (int cpu : cpus) {
                int word = cpu / 64;
                mask.setLong(word * 8L, mask.getLong(word * 8L) | (1L << (cpu % 64)));
            }
            int r = LibC.sched_setaffinity(0, CPU_SET_BYTES, mask);
            return r == 0 ? 0 : -Native.getLastError();
        }
    }

    /**
     * The CPUs the calling thread may run on.
     *
     * @return the CPU numbers, or {@code null} if the kernel refused
     */
    public static int[] affinity() {
        try (Memory mask = new Memory(CPU_SET_BYTES)) {
            mask.clear();
            if (LibC.sched_getaffinity(0, CPU_SET_BYTES, mask) != 0) {
                return null;
            }
            int[] out = new int[CPU_SET_BYTES * 8];
            int n = 0;
            for (int cpu = 0; cpu < CPU_SET_BYTES * 8; cpu++) {
                if ((mask.getLong((cpu / 64) * 8L) & (1L << (cpu % 64))) != 0) {
                    out[n++] = cpu;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }
    }

    /**
     * Sets the calling thread's policy and static priority.
     *
     * @param policy   {@link #SCHED_FIFO}, {@link #SCHED_RR} or {@link #SCHED_OTHER}
     * @param priority 1–99 for the real-time policies, 0 for {@code SCHED_OTHER}
     * @return {@code 0} or {@code -errno} ({@code -EPERM} without {@code CAP_SYS_NICE} or a large enough {@code RLIMIT_RTPRIO})
     */
    public static int setScheduler(int policy, int priority) {
        try (Memory param = new Memory(4)) {
            param.setInt(0, priority);
            int r = LibC.sched_setscheduler(0, policy, param);
            return r == 0 ? 0 : -Native.getLastError();
        }
    }

    /** The calling thread's policy, or {@code -errno}. */
    public static int scheduler() {
        int r = LibC.sched_getscheduler(0);
        return r >= 0 ? r : -Native.getLastError();
    }
}
