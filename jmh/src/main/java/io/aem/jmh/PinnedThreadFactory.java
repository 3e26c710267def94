package io.aem.jmh;

import io.aem.linux.sys.LibC;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Makes the one worker thread of a JDK or Netty timer: a daemon thread that pins itself to a CPU
 * (none when the CPU is negative) before running its work and records its kernel thread id, so
 * that the timer benchmarks can pin and time it like the event loop's thread.
 */
final class PinnedThreadFactory implements ThreadFactory {
    private final String name;
    private final int cpu;
    private final CompletableFuture<Integer> tid = new CompletableFuture<>();
    private volatile Thread thread;

    PinnedThreadFactory(String name, int cpu) {
        this.name = name;
        this.cpu = cpu;
    }

    @Override
    public Thread newThread(Runnable work) {
        Thread t = new Thread(() -> {
            if (cpu >= 0) {
                Cpus.pin(cpu);
            }
            tid.complete(LibC.gettid());
            work.run();
        }, name);
        t.setDaemon(true);
        thread = t;
        return t;
    }

    /** The kernel id of the thread once it runs; waits at most 10 s. */
    int tid() throws Exception {
        return tid.get(10, TimeUnit.SECONDS);
    }

    /** The last thread made, or {@code null}. */
    Thread thread() {
        return thread;
    }
}
