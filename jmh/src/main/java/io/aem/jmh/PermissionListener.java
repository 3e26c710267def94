package io.aem.jmh;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.PermissionSource;
import io.aem.linux.fs.PermissionStats;
import io.aem.linux.fs.PermissionWatch;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.reactor.Aem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * The library's side of the open() latency benchmark: a permission listener answering allow to
 * every open of a file in a directory, run by {@code run-file-benchmarks.sh} exactly where the C
 * listener ({@code src/main/c/fanotify_allow.c}) runs, while {@code open_latency.c} times its
 * opens.
 *
 * <p>{@code Aem.permissions(PermissionWatch.opens(FanotifyMark.path(DIR)))} (a
 * {@code FAN_OPEN_PERM} mark on the directory and its children, files only, default deadline
 * 1 s) on one loop pinned to {@link Cpus#RECEIVER}, subscribed with unbounded demand; the
 * subscriber calls {@code allow()} in {@code onNext}, on the loop thread. The path a request
 * travels: the kernel queues the event; the loop, which watches the group while the subscriber
 * has demand, wakes, reads it, resolves the path and the executable ({@code readlink}s) and calls
 * {@code onNext}; {@code allow()} writes the response and closes the event's fd. The library's
 * deadline keeper thread (one per process, "aem-permission-keeper") times requests out and reads
 * only if the loop leaves the group readable for its hand-over grace; {@code read_by_loop} and
 * {@code read_by_keeper} in the report say who read. The keeper is started by the loop thread
 * and inherits its CPU affinity; it is pinned to the receiver CPU again here, to be sure, and the
 * report says how many threads were pinned.
 *
 * <p>Prints {@code ready} once a probe open of {@code DIR/target} has been asked and allowed
 * (the marks are placed on the loop thread, after {@code subscribe} returns), then waits for
 * SIGTERM or at most MAX_SECONDS, and prints the source's counters ({@code received},
 * {@code allowed}, {@code allowed_at_deadline}, ...): a request allowed at the deadline instead of
 * by the subscriber would show there.
 *
 * <p>Usage: {@code PermissionListener DIR MAX_SECONDS} (the file {@code DIR/target} must exist).
 */
public final class PermissionListener {
    private PermissionListener() {
    }

    /**
     * Entry point.
     *
     * @param args the directory and the time bound in seconds
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PermissionListener DIR MAX_SECONDS");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        long maxSeconds = Long.parseLong(args[1]);
        if (maxSeconds < 1 || maxSeconds > 3600) {
            throw new IllegalArgumentException("MAX_SECONDS must be 1-3600");
        }
        Aem aem = Aem.create(1, EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER));
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(dir)));
        Disposable subscription = aem.permissions(source).subscribe(request -> request.allow(),
                error -> {
                    error.printStackTrace();
                    System.exit(1);
                });
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "listener-stop"));

        // The marks are placed on the loop thread: open the probe until one request was received.
        Path probe = dir.resolve("target");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (source.stats().received() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no permission request for " + probe + " within 10 s");
            }
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.READ)) {
                // opening is the request
            }
            Thread.sleep(10);
        }
        String keeperCpus = threadCpus("aem-permission-");
        int pinned = Cpus.pinThreadsNamed("aem-permission-", Cpus.RECEIVER);
        PermissionStats atStart = source.stats();
        long byLoopAtStart = source.readByLoop();
        long byKeeperAtStart = source.readByKeeper();
        System.out.println("ready");
        System.out.println("keeper_cpus_before_pinning " + keeperCpus);
        System.out.println("keeper_threads_pinned " + pinned);
        System.out.flush();

        stop.await(maxSeconds, TimeUnit.SECONDS);
        PermissionStats s = source.stats();
        System.out.println("received " + (s.received() - atStart.received()));
        System.out.println("allowed " + (s.allowed() - atStart.allowed()));
        System.out.println("denied " + (s.denied() - atStart.denied()));
        System.out.println("allowed_at_deadline " + (s.allowedAtDeadline() - atStart.allowedAtDeadline()));
        System.out.println("queue_overflows " + s.queueOverflows());
        System.out.println("read_by_loop " + (source.readByLoop() - byLoopAtStart));
        System.out.println("read_by_keeper " + (source.readByKeeper() - byKeeperAtStart));
        System.out.flush();
        subscription.dispose();
        aem.close();
        stopped.countDown();
    }

    /** {@code Cpus_allowed_list} of the threads whose kernel name is {@code comm}. */
    private static String threadCpus(String comm) throws IOException {
        StringBuilder out = new StringBuilder();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
                if (name.equals(comm)) {
                    for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.UTF_8)) {
                        if (line.startsWith("Cpus_allowed_list:")) {
                            out.append(out.length() == 0 ? "" : ",").append(line.substring(18).trim());
                        }
                    }
                }
            }
        }
        return out.length() == 0 ? "none" : out.toString();
    }
}
