package io.aem.linux.loop;

import io.aem.linux.sys.Sched;

/**
 * The Linux real-time scheduling policies a loop thread may run under (AEM's event priority).
 * Setting either needs {@code CAP_SYS_NICE} or an {@code RLIMIT_RTPRIO} at least as high as the
 * priority.
 */
public enum RealtimePolicy {
    /** {@code SCHED_FIFO}: runs until it blocks or a higher priority thread is runnable. */
    FIFO(Sched.SCHED_FIFO),
    /** {@code SCHED_RR}: like FIFO, with a time slice among threads of equal priority. */
    ROUND_ROBIN(Sched.SCHED_RR);

    private final int policy;

    RealtimePolicy(int policy) {
        this.policy = policy;
    }

    /** The kernel's policy number. */
    public int kernelPolicy() {
        return policy;
    }
}
