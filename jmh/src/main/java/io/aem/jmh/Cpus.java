package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.aem.linux.sys.LibC;
import io.aem.linux.sys.Sched;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Pins every thread of this process whose kernel name ({@code /proc/self/task/<tid>/comm},
     * the Java name cut to 15 bytes) equals {@code comm} to one CPU: for threads the benchmark
     * does not create, such as the JDK {@code WatchService}'s poller ("FileSystemWatchService",
     * seen as "FileSystemWatch").
     *
     * @return how many threads were pinned
     * @throws IllegalStateException when the kernel refuses
     */
    static int pinThreadsNamed(String comm, int cpu) {
        int pinned = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"));
                Memory mask = new Memory(128)) {
            mask.clear();
            mask.setLong((cpu / 64) * 8L, 1L << (cpu % 64));
            for (Path task : tasks) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
                } catch (IOException gone) {
                    continue;
                }
                if (name.equals(comm)) {
                    int tid = Integer.parseInt(task.getFileName().toString());
                    if (LibC.sched_setaffinity(tid, 128, mask) != 0) {
                        throw new IllegalStateException("cannot pin thread " + tid + " (" + comm + ") to CPU " + cpu
                                + ": errno " + Native.getLastError());
                    }
                    pinned++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/task", e);
        }
        return pinned;
    }
}
