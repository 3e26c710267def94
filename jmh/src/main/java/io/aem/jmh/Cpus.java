package io.aem.jmh;

import io.aem.linux.sys.Sched;
import java.util.Arrays;

/**
 * The CPUs the benchmarks pin their threads to: the receiving side (the event loop, or the plain
 * JNA reader thread) on {@link #RECEIVER}, the signalling side (the JMH benchmark thread) on
 * {@link #SENDER}. Cross-CPU wake-ups and same-CPU wake-ups differ by a factor of three on the
 * reference machine, so every variant and the C references use the same two CPUs.
 *
 * <p>Override with {@code -jvmArgsAppend "-Daem.bench.receiverCpu=2 -Daem.bench.senderCpu=3"}.
 */
final class Cpus {
    /** CPU of the receiving thread; {@code aem.bench.receiverCpu}, default 0. */
    static final int RECEIVER = Integer.getInteger("aem.bench.receiverCpu", 0);
    /** CPU of the signalling thread; {@code aem.bench.senderCpu}, default 1. */
    static final int SENDER = Integer.getInteger("aem.bench.senderCpu", 1);

    private Cpus() {
    }

    /**
     * Pins the calling thread to one CPU.
     *
     * @throws IllegalStateException when the kernel refuses, naming the CPUs this process may use
     */
    static void pin(int cpu) {
        int r = Sched.setAffinity(new int[] {cpu});
        if (r < 0) {
            throw new IllegalStateException("cannot pin thread '" + Thread.currentThread().getName() + "' to CPU " + cpu
                    + " (errno " + -r + "); this process may run on CPUs " + Arrays.toString(Sched.affinity()));
        }
    }
}
