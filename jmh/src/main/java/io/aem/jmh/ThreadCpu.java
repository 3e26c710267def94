package io.aem.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of one thread or of the whole process: the kernel's {@code utime + stime} from
 * {@code /proc/self/task/<tid>/stat} or {@code /proc/self/stat} (in clock ticks of 10 ms: the
 * {@code USER_HZ} of {@code /proc} is 100 on x86-64), and the JVM's own per-thread figure
 * ({@code ThreadMXBean.getThreadCpuTime}, from the thread's CPU clock, to the nanosecond) as a
 * cross-check.
 */
final class ThreadCpu {
    /** Nanoseconds per clock tick of {@code /proc/.../stat}. */
    static final long TICK_NANOS = 10_000_000L;

    private ThreadCpu() {
    }

    /** {@code utime + stime} of thread {@code tid} of this process, in nanoseconds. */
    static long ofTask(int tid) {
        return fromStat(Path.of("/proc/self/task/" + tid + "/stat"));
    }

    /** {@code utime + stime} of this process (every thread), in nanoseconds. */
    static long ofProcess() {
        return fromStat(Path.of("/proc/self/stat"));
    }

    /** The JVM's CPU time of a Java thread in nanoseconds, or -1 when unknown. */
    static long ofJavaThread(Thread thread) {
        return thread == null ? -1 : ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
    }

    private static long fromStat(Path stat) {
        String s;
        try {
            s = Files.readString(stat);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Fields after the command name, which is in parentheses and may hold spaces: state is
        // field 3, utime field 14, stime field 15.
        String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
    }
}
