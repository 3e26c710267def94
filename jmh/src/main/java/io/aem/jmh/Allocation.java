package io.aem.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Bytes a thread has allocated on the heap since it started, from the JVM's own per-thread counter. */
final class Allocation {
    private Allocation() {
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} of {@code thread}.
     *
     * @return the bytes, or {@code -1} when the thread is unknown or the JVM does not count them
     */
    static long of(Thread thread) {
        if (thread == null) {
            return -1;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean) mx).getThreadAllocatedBytes(thread.getId());
        }
        return -1;
    }
}
