package io.aem.linux.proc;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Pidfd;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exit of one process, watched through its pidfd on the event loop: no thread per process.
 * The stream emits one {@link ProcessExit} and completes.
 *
 * <p><b>Children and other processes.</b> Each subscription opens its own pidfd
 * ({@code pidfd_open}, Linux 5.3), which the kernel makes readable when the process has exited.
 * If the process is a child of this JVM it is then reaped with {@code waitid(P_PIDFD, WEXITED |
 * WNOHANG)} (Linux 5.4) and the event carries its exit code, or its terminating signal and
 * whether a core was dumped. For any other process (or a child that something else in this JVM
 * reaped first, such as the JDK's reaper thread for a {@link ProcessBuilder} child, which this
 * source races with) {@code waitid} answers {@code ECHILD}: only the parent can reap it.
 *
 * <p><b>Exit status of other processes.</b> For a process that is not a child when the watch
 * opens ({@code waitid(WNOHANG | WNOWAIT)} answers {@code ECHILD}) the loop also records its exit
 * from the kernel's process connector: one {@code NETLINK_CONNECTOR} socket per loop, shared by
 * every such watch, opened with the first and closed with the last, receiving exit events only.
 * When the pidfd turns readable the socket is drained first (the kernel queues the exit message
 * before it wakes pidfd pollers) and the event carries the code or signal the kernel reported
 * for the thread-group leader. Where the connector is not available on the loop thread (a
 * network namespace other than the initial one, a kernel without it, before Linux 6.6 a thread
 * without {@code CAP_NET_ADMIN}), when the process exited before the watch opened, or when the
 * connector socket overflowed, the event says {@link ProcessExit.UnknownStatus}: none is made
 * up. {@link #nonChildStatusAvailable(EventLoop)} tells which mode a loop gets.
 *
 * <p><b>Demand.</b> Without demand nothing is read: the exit waits in the kernel (the pidfd stays
 * readable) and a child stays a zombie, keeping its status and its pid, until demand comes; then
 * it is reaped and delivered. A subscription cancelled before the exit was read closes its pidfd
 * and leaves the child unreaped (its status still waits in the kernel for whoever waits for it).
 *
 * <p><b>Errors</b>, as the stream's {@code onError} before any event: a pid that names no process
 * gives {@link NoSuchProcessException}; the fd limit gives {@link io.aem.linux.ResourceLimitException};
 * a kernel without pidfds gives {@link io.aem.linux.UnsupportedKernelFeatureException}.
 *
 * <p>To signal the process without the risk of reaching a later process that reused its pid, use
 * {@link ProcessHandleFd}.
 */
public final class ProcessExitSource implements EventSource<ProcessExit> {
    /** {@code WNOWAIT}: leave a child's status to be waited for again. */
    private static final int WNOWAIT = 0x01000000;

    private final long pid;
    /** Open subscriptions that watch through the connector, per loop thread. */
    private final Map<Thread, Integer> connectorWatches = new ConcurrentHashMap<>();

    /**
     * Creates the source; nothing happens in the kernel until a subscriber arrives.
     *
     * @param pid the process to watch, {@code > 0}
     */
    public ProcessExitSource(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid " + pid + " is not a process id (1.." + Integer.MAX_VALUE + ")");
        }
        this.pid = pid;
    }

    /** The watched pid. */
    public long pid() {
        return pid;
    }

    @Override
    public String name() {
        return "pidfd exit of " + pid;
    }

    /**
     * Whether the exits of processes that are not children of this JVM carry their status on
     * this loop: the process connector opens on the loop's thread (see the class description).
     * Probes on the loop thread (a trial socket, five system calls, unless one is open).
     *
     * @param loop the loop the watches will run on
     * @return completes with {@code true} if they will carry the status, {@code false} if they
     *         will say {@link ProcessExit.UnknownStatus}; exceptionally if the loop is closed
     */
    public static CompletableFuture<Boolean> nonChildStatusAvailable(EventLoop loop) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        try {
            loop.execute(() -> answer.complete(ConnectorExitStatuses.availableHere()));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /**
     * Opens the pidfd; for a process that is not a child, also starts recording its exit on the
     * loop's process connector, if available.
     */
    @Override
    public OwnedFd open(SourceContext context) throws KernelException {
        OwnedFd fd = ProcessHandleFd.openPidfd(pid, Pidfd.PIDFD_NONBLOCK);
        try (Memory info = new Memory(Pidfd.SIGINFO_SIZE)) {
            int r;
            do {
                r = Pidfd.waitid(Pidfd.P_PIDFD, fd.get(), info, Pidfd.WEXITED | Pidfd.WNOHANG | WNOWAIT);
            } while (r == -Errno.EINTR);
            if (r == -Errno.ECHILD && ConnectorExitStatuses.watch(context.loop(), (int) pid) != null) {
                connectorWatches.merge(Thread.currentThread(), 1, Integer::sum);
            }
        }
        return fd;
    }

    /** Ends this subscription's watch on the loop's process connector, if it had one. */
    @Override
    public void closed() {
        Thread thread = Thread.currentThread();
        boolean[] watched = {false};
        connectorWatches.computeIfPresent(thread, (t, n) -> {
            watched[0] = true;
            return n > 1 ? n - 1 : null;
        });
        if (watched[0]) {
            ConnectorExitStatuses statuses = ConnectorExitStatuses.of(thread);
            if (statuses != null) {
                statuses.unwatch((int) pid);
            }
        }
    }

    @Override
    public int batchSize() {
        return Pidfd.SIGINFO_SIZE;
    }

    /**
     * Reads the exit if the process has ended: a {@code poll} with zero timeout on the pidfd
     * first (so that a non-child, for which {@code waitid} answers {@code ECHILD} at once, is
     * reported only once it has exited), then {@code waitid} for a child. The batch holds the
     * {@code siginfo_t}; for a non-child it holds the status the process connector recorded, or
     * {@code si_code} 0 when none was.
     */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws KernelException {
        int fdNumber = fd.get();
        int ready = Pidfd.exited(fdNumber, buffer.address());
        if (ready < 0) {
            throw Errno.exception("poll(pidfd " + pid + ")", -ready, null);
        }
        if (ready == 0) {
            return WOULD_BLOCK;
        }
        for (;;) {
            int r = Pidfd.waitid(Pidfd.P_PIDFD, fdNumber, buffer.address(), Pidfd.WEXITED | Pidfd.WNOHANG);
            if (r == 0) {
                if (buffer.address().getInt(Pidfd.SI_PID) == 0) {
                    return WOULD_BLOCK;
                }
                return Pidfd.SIGINFO_SIZE;
            }
            if (r == -Errno.ECHILD) {
                nonChildStatus(buffer);
                buffer.address().setInt(Pidfd.SI_PID, (int) pid);
                return Pidfd.SIGINFO_SIZE;
            }
            if (r != -Errno.EINTR) {
                throw Errno.exception("waitid(P_PIDFD, " + pid + ")", -r, null);
            }
        }
    }

    /** Writes the status the connector recorded into the siginfo, or leaves {@code si_code} 0 (unknown). */
    private void nonChildStatus(ReadBuffer buffer) {
        buffer.address().setInt(Pidfd.SI_CODE, 0);
        if (!connectorWatches.containsKey(Thread.currentThread())) {
            return;
        }
        ConnectorExitStatuses statuses = ConnectorExitStatuses.of(Thread.currentThread());
        ProcessExit.Status status = statuses == null ? null : statuses.statusOf((int) pid);
        if (status instanceof ProcessExit.Exited e) {
            buffer.address().setInt(Pidfd.SI_CODE, Pidfd.CLD_EXITED);
            buffer.address().setInt(Pidfd.SI_STATUS, e.code());
        } else if (status instanceof ProcessExit.Killed k) {
            buffer.address().setInt(Pidfd.SI_CODE, Pidfd.CLD_KILLED);
            buffer.address().setInt(Pidfd.SI_STATUS, k.signal());
        } else if (status instanceof ProcessExit.Dumped d) {
            buffer.address().setInt(Pidfd.SI_CODE, Pidfd.CLD_DUMPED);
            buffer.address().setInt(Pidfd.SI_STATUS, d.signal());
        }
    }

    @Override
    public ProcessExit decode(ByteBuffer batch, SourceContext context) {
        int base = batch.position();
        int code = batch.getInt(base + Pidfd.SI_CODE);
        int status = batch.getInt(base + Pidfd.SI_STATUS);
        batch.position(Math.min(batch.limit(), base + Pidfd.SIGINFO_SIZE));
        long nanos = System.nanoTime();
        Instant now = Instant.now();
        context.completeAfterBatch();
        return new ProcessExit(pid, status(code, status), nanos, now);
    }

    static ProcessExit.Status status(int siCode, int siStatus) {
        switch (siCode) {
            case Pidfd.CLD_EXITED:
                return new ProcessExit.Exited(siStatus);
            case Pidfd.CLD_KILLED:
                return new ProcessExit.Killed(siStatus);
            case Pidfd.CLD_DUMPED:
                return new ProcessExit.Dumped(siStatus);
            default:
                return new ProcessExit.UnknownStatus();
        }
    }
}
