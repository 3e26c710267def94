package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Pidfd;
import java.nio.ByteBuffer;
import java.time.Instant;

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
 * source races with) {@code waitid} answers {@code ECHILD} and the event says
 * {@link ProcessExit.UnknownStatus}: only the parent can read the status, and none is made up.
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
    private final long pid;

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

    @Override
    public OwnedFd open(SourceContext context) throws KernelException {
        return ProcessHandleFd.openPidfd(pid, Pidfd.PIDFD_NONBLOCK);
    }

    @Override
    public int batchSize() {
        return Pidfd.SIGINFO_SIZE;
    }

    /**
     * Reads the exit if the process has ended: a {@code poll} with zero timeout on the pidfd
     * first (so that a non-child, for which {@code waitid} answers {@code ECHILD} at once, is
     * reported only once it has exited), then {@code waitid} for a child. The batch holds the
     * {@code siginfo_t}; for a non-child its {@code si_code} is left 0.
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
                buffer.address().setInt(Pidfd.SI_CODE, 0);
                buffer.address().setInt(Pidfd.SI_PID, (int) pid);
                return Pidfd.SIGINFO_SIZE;
            }
            if (r != -Errno.EINTR) {
                throw Errno.exception("waitid(P_PIDFD, " + pid + ")", -r, null);
            }
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
