package io.aem.jmh;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Many timers waiting an hour, in one JVM per variant and handle policy: the heap each costs, how
 * late a timer scheduled just after them runs, and the CPU the timer's thread spends while they
 * wait.
 *
 * <ol>
 *   <li>Warm-up: 3 batches of 10,000 timers scheduled and cancelled and one 10 ms timer awaited,
 *       so that classes are loaded and the timer's thread runs; then a pause of 0.5 s (Netty's
 *       wheel removes cancelled timers at its next tick).</li>
 *   <li>Heap used after {@code System.gc()} (three calls), then COUNT timers of one shared no-op
 *       task, each one hour out ({@link TimerSubject#fill}); with {@code kept} their handles go
 *       into an array allocated after that first figure ({@code long[]} for the library on its
 *       loop, {@code Object[]} of the handle objects otherwise), so the array counts.</li>
 *   <li>Late add: a 10 ms timer scheduled from this thread right after the fill; its lateness
 *       (at most 120 s awaited). Netty's worker moves its queue into the wheel 100,000 per 100 ms
 *       tick, in order, so when this timer has run every earlier one is in the wheel.</li>
 *   <li>Heap used after GC again; bytes per timer = the difference / COUNT.</li>
 *   <li>With CPU_SECONDS &gt; 0: one more second, then the CPU time of the timer's thread over
 *       CPU_SECONDS ({@code /proc/self/task/<tid>/stat} utime + stime, 10 ms ticks, and
 *       {@code ThreadMXBean.getThreadCpuTime}), the whole process's ({@code /proc/self/stat}),
 *       and the loop's turns for the library.</li>
 * </ol>
 * The timer's thread runs on {@link Cpus#RECEIVER}, this thread on {@link Cpus#SENDER}.
 *
 * <p>Usage: {@code PendingTimers wheel|wheel-xthread|hwt|stpe dropped|kept COUNT CPU_SECONDS}. Prints
 * {@code pending.VARIANT.HANDLES.*} lines; writes them to
 * {@code $AEM_JMH_OUT/pending-VARIANT-HANDLES.txt} when set.
 */
public final class PendingTimers {
    private PendingTimers() {
    }

    /**
     * Entry point.
     *
     * @param args variant, handle policy, count, CPU seconds
     * @throws Exception when the timer fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("dropped") || args[1].equals("kept"))) {
            System.err.println("usage: PendingTimers wheel|wheel-xthread|hwt|stpe dropped|kept COUNT CPU_SECONDS");
            System.exit(2);
        }
        String variant = args[0];
        boolean keep = args[1].equals("kept");
        int count = Integer.parseInt(args[2]);
        int cpuSeconds = Integer.parseInt(args[3]);
        if (count < 1 || count > 20_000_000 || cpuSeconds < 0 || cpuSeconds > 120) {
            throw new IllegalArgumentException("COUNT must be 1..20000000 and CPU_SECONDS 0..120");
        }
        if (Cpus.SENDER >= 0) {
            Cpus.pin(Cpus.SENDER);
        }
        String p = "pending." + variant + "." + args[1] + ".";
        ResultLines out = new ResultLines();
        long tenMs = TimeUnit.MILLISECONDS.toNanos(10);
        try (TimerSubject subject = TimerSubject.open(variant, Cpus.RECEIVER)) {
            long[] warm = new long[10_000];
            Arrays.fill(warm, TimerSubject.HOUR_NANOS);
            for (int i = 0; i < 3; i++) {
                subject.scheduleThenCancel(warm);
            }
            OneShotProbe.lateness(subject, tenMs, 10);
            Thread.sleep(500);
            long before = heapAfterGc();
            long t0 = System.nanoTime();
            Object handles = subject.fill(count, TimerSubject.HOUR_NANOS, keep);
            double fillSeconds = (System.nanoTime() - t0) / 1e9;
            long late = OneShotProbe.lateness(subject, tenMs, 120);
            long after = heapAfterGc();
            out.line(p + "count", count);
            out.line(p + "fill_seconds", fillSeconds);
            out.line(p + "late_add_ms", late < 0 ? Double.NaN : late / 1e6);
            out.line(p + "heap_before_bytes", before);
            out.line(p + "heap_after_bytes", after);
            out.line(p + "bytes_per_timer", (after - before) / (double) count);
            if (cpuSeconds > 0) {
                Thread.sleep(1000);
                int tid = subject.tid();
                long task0 = ThreadCpu.ofTask(tid);
                long mx0 = ThreadCpu.ofJavaThread(subject.thread());
                long proc0 = ThreadCpu.ofProcess();
                long turns0 = subject.loopTurns();
                long w0 = System.nanoTime();
                Thread.sleep(cpuSeconds * 1000L);
                double window = (System.nanoTime() - w0) / 1e9;
                out.line(p + "cpu_window_s", window);
                out.line(p + "thread_cpu_ms", (ThreadCpu.ofTask(tid) - task0) / 1e6);
                out.line(p + "thread_cpu_mx_ms", (ThreadCpu.ofJavaThread(subject.thread()) - mx0) / 1e6);
                out.line(p + "process_cpu_ms", (ThreadCpu.ofProcess() - proc0) / 1e6);
                if (turns0 >= 0) {
                    out.line(p + "loop_turns", subject.loopTurns() - turns0);
                }
            }
            Reference.reachabilityFence(handles);
        }
        out.publish("pending-" + variant + "-" + args[1] + ".txt");
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
