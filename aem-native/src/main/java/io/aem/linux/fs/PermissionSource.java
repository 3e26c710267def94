package io.aem.linux.fs;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.OwnedFd;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Permission decisions on file access (AEM's aem-fd permission events): each subscriber receives
 * a {@link PermissionRequest} for every open, read or exec of a marked object by any process,
 * and answers it, from any thread, with {@link PermissionRequest#allow()} or
 * {@link PermissionRequest#deny()}; the process waits inside its system call meanwhile.
 *
 * <p><b>Kernel objects.</b> Each subscription opens its own fanotify group in fd mode,
 * {@code fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC |
 * O_LARGEFILE)} (file-id reporting is not allowed with permission classes, so each event carries
 * an fd of the accessed file), and places the watch's marks on it in {@link #open}. A cold
 * source: several subscribers, even on several loops, each get their own group; the kernel asks
 * the groups one after the other, so an access is allowed once every subscription allowed it, and
 * denied by the first denial (the subscriptions after that one are not asked).
 *
 * <p><b>Who reads: the loop, with demand.</b> While the subscriber has demand the event loop
 * watches the group (a second fd of it, {@code F_DUPFD_CLOEXEC}) for {@code EPOLLIN} like any
 * other source, reads it itself and delivers at once: {@code epoll_wait}, {@code read}, two
 * {@code readlink}s, {@code onNext}, then the answer's {@code write} and {@code close}, as a C
 * listener does. Reading a group in fd mode makes the kernel open the event's file with
 * notification suppressed, and the loop touches no file to describe it (see {@link ProcLinks}),
 * so the reading itself never waits on a mark.
 *
 * <p><b>Deadline; no process hangs.</b> A request nobody answers within
 * {@link PermissionWatch#deadline()} is allowed and counted in
 * {@link PermissionStats#allowedAtDeadline()}. Every request, whoever read it, joins the
 * subscription's pending requests, which one process-wide <em>deadline keeper</em> thread times
 * out; the deadline does not depend on the loop. The keeper is still needed because any thread
 * of this JVM, the loop included, may itself be stopped by a permission event (class loading,
 * logging, a handler opening a marked file), and the thread that must time a request out cannot
 * be one that may be waiting. So the keeper also reads the group (1) while the subscriber has no
 * demand, and (2) when the group has stayed readable for a short hand-over grace (5 ms, or a
 * quarter of the deadline if shorter) without the loop reading it: then it reads, stamps and
 * queues the requests and asks the loop to deliver them when it can. The kernel gives each event
 * to exactly one {@code read}, so the two readers never see the same request. The keeper never
 * touches a file, and sleeps without a timeout while nothing is pending. See the package-private
 * {@code PermissionKeeper} for why this one thread exists despite "no thread per event": it is per
 * process, not per event or per file. {@link #readByLoop()} and {@link #readByKeeper()} count
 * who read.
 *
 * <p><b>Demand.</b> "No demand, no read" is bent here, on purpose. For other sources the kernel
 * keeps unread events at no cost to anyone; a permission event left in the kernel's queue is a
 * process stopped in {@code open(2)} with nobody to time it out. So without demand the keeper
 * reads every group as soon as it is readable, stamps each request's arrival, and keeps it for
 * the subscription; the loop delivers only under demand, oldest first. A request still
 * undelivered at its deadline is allowed and dropped, so what waits in Java is bounded by the
 * requests of one deadline period, each of which is a thread somewhere blocked in a system call.
 * A subscriber whose demand returns within the deadline still receives what arrived meanwhile.
 * A request's deadline counts from when it was read, which with demand is within about the grace
 * of when it was made (two grace periods at most, if the loop stops right after a read).
 *
 * <p><b>Ending.</b> On cancel, completion, an error, a subscriber that throws, or loop shutdown,
 * the subscription stops the keeper reading its group, explicitly allows every request still
 * waiting (delivered or not; counted in {@link PermissionStats#allowedAtEnd()}), then closes the
 * group fd. Closing the group fd makes the kernel allow whatever it still had queued and any
 * request read but unanswered ({@code fanotify_release}); that is also what happens if the JVM
 * dies. Each event fd is closed exactly once, by whoever answered its request.
 *
 * <p><b>Threads.</b> Signals arrive on the loop thread; answers may come from any thread and
 * are written by that thread ({@link PermissionRequest}). The loop thread does no file access
 * for this source. A subscriber that opens marked files itself, on the loop, waits for its own
 * request until the deadline allows it (the keeper reads it after the grace): move such work
 * away with {@code publishOn}.
 *
 * <p><b>Errors</b>, as the stream's {@code onError}: no {@code CAP_SYS_ADMIN} on the loop
 * thread gives {@link MissingPrivilegeException}; a kernel without permission events
 * ({@code CONFIG_FANOTIFY_ACCESS_PERMISSIONS}) or without {@link PermissionKind#OPEN_EXEC}
 * (Linux 5.0) gives {@link UnsupportedKernelFeatureException}; a missing marked path gives
 * {@link NoSuchFileException}; the mark limit gives {@link ResourceLimitException} naming
 * {@code fs.fanotify.max_user_marks} and its value; running out of fds, so that the kernel
 * denied an access it could not report, gives {@link ResourceLimitException} naming
 * {@code RLIMIT_NOFILE}.
 *
 * <p><b>Costs.</b> Per subscription: two fds of one fanotify group, the kernel's marks, about
 * 4 KiB of the loop's native memory for describing requests. Per pending request: the kernel's
 * event and one fd of this process, until answered. Per process: one keeper thread with one epoll
 * fd and one eventfd, while any subscription is open. Per request read by the loop: a
 * {@code read} share, two {@code readlink}s, and the answer's 8-byte {@code write} and the event
 * fd's {@code close}. The keeper also wakes when a group becomes readable (at most twice per
 * grace period while the loop reads it), about once per shortest deadline period while requests
 * arrive, and at deadlines; an idle subscription costs it no wake-up. Per request read by the
 * keeper: a loop task instead of the loop's own readiness.
 */
public final class PermissionSource implements EventSource<PermissionRequest> {
    /** Bytes of the batch buffer: the loop reads the group into it (170 event headers), then counts one byte per request. */
    private static final int BATCH = 4096;
    private static final int EXDEV = 18;
    private static final int ENODEV = 19;

    private final PermissionWatch watch;
    private final String name;
    private final Map<OwnedFd, PermissionGroup> byLoopFd = new ConcurrentHashMap<>();
    private final Map<SourceContext, PermissionGroup> byContext = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong allowed = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong allowedAtDeadline = new AtomicLong();
    private final AtomicLong allowedAtEnd = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong readByLoop = new AtomicLong();

    /**
     * Creates the source; nothing happens in the kernel until a subscriber arrives.
     *
     * @param watch what to decide for
     */
    public PermissionSource(PermissionWatch watch) {
        this.watch = Objects.requireNonNull(watch, "watch");
        // Built once: the keeper's failure messages use it, and must not run toString code for the first time.
        this.name = "fanotify permissions " + watch.kinds() + " on " + watch.marks()
                + (watch.directories() ? " with directories" : "") + ", deadline " + watch.deadline();
    }

    /** What this source decides for. */
    public PermissionWatch watch() {
        return watch;
    }

    /** The counters, summed over every subscription this source has served. Any thread. */
    public PermissionStats stats() {
        long a = allowed.get();
        long d = denied.get();
        long t = allowedAtDeadline.get();
        long e = allowedAtEnd.get();
        long r = received.get();
        return new PermissionStats(r, a, d, t, e, Math.max(0, r - a - d - t - e), overflows.get());
    }

    /**
     * Requests read from the kernel by the event loops themselves (their subscriber had demand),
     * summed over every subscription; the rest of {@link PermissionStats#received()} was read by
     * the deadline keeper (no demand, or a loop that did not read for the hand-over grace). Any
     * thread.
     */
    public long readByLoop() {
        return readByLoop.get();
    }

    /** Requests read from the kernel by the deadline keeper: {@link PermissionStats#received()} minus {@link #readByLoop()}. Any thread. */
    public long readByKeeper() {
        return Math.max(0, received.get() - readByLoop.get());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Opens a fanotify group, hands it to the deadline keeper and places the marks. Loop thread.
     *
     * @return a second fd of the group ({@code F_DUPFD_CLOEXEC}), which the loop watches for
     *         {@code EPOLLIN} while the subscriber has demand and the framework closes; the group's
     *         own fd is owned by the subscription's state and closed when it ends, after every
     *         request read from it has been answered
     * @throws MissingPrivilegeException        without {@code CAP_SYS_ADMIN}
     * @throws UnsupportedKernelFeatureException when the kernel lacks permission events or a requested kind
     * @throws NoSuchFileException              when a marked path does not exist
     * @throws ResourceLimitException           at {@code fs.fanotify.max_user_marks}, {@code fs.fanotify.max_user_groups} or the fd limit
     */
    @Override
    public OwnedFd open(SourceContext context) throws IOException {
        int fd = Fanotify.init(Fanotify.FAN_CLASS_CONTENT | Fanotify.FAN_CLOEXEC | Fanotify.FAN_NONBLOCK,
                Io.O_RDONLY | Io.O_CLOEXEC | Io.O_LARGEFILE);
        if (fd < 0) {
            throw initFailure(-fd);
        }
        OwnedFd group = new OwnedFd(fd, "fanotify permission group (" + watch.kinds() + ")");
        int second = Io.dupCloexec(fd);
        if (second < 0) {
            group.close();
            throw Errno.exception("fcntl(F_DUPFD_CLOEXEC) (fanotify permission group)", -second, null);
        }
        OwnedFd loopFd = new OwnedFd(second, "fanotify permission group (" + watch.kinds() + ", the loop's fd for " + fd + ")");
        PermissionGroup g = new PermissionGroup(this, group, loopFd, context, watch.deadline(), watch.directories());
        try {
            // Starting the keeper loads every class it needs, before any mark exists.
            PermissionKeeper.attach(g);
            // The keeper's call to the loop, run once before any mark: its code is linked now.
            context.readAgain();
            for (FanotifyMark mark : watch.marks()) {
                int r = Fanotify.mark(group.get(), Fanotify.FAN_MARK_ADD | mark.scope().markFlag(), watch.mask(mark.scope()),
                        mark.path().toString());
                if (r < 0) {
                    throw markFailure(mark, -r);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            loopFd.close();
            g.end();
            throw e;
        }
        byLoopFd.put(loopFd, g);
        byContext.put(context, g);
        return loopFd;
    }

    /** {@value #BATCH}: the bytes of one read of the group by the loop, and the most requests one read hands to the loop. */
    @Override
    public int batchSize() {
        return BATCH;
    }

    /**
     * While the subscriber has demand, reads the group once into the batch buffer (the requests
     * join the subscription's state, where the deadline keeper can still allow them); then
     * reports how many requests wait for delivery, whoever read them, as one byte each in the
     * batch. Ends the stream with an error of the keeper or of the read, if there was one.
     */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws IOException {
        PermissionGroup g = byLoopFd.get(fd);
        if (g == null) {
            return END_OF_STREAM;
        }
        Throwable failure = g.failure();
        if (failure != null) {
            throw asIOException(failure);
        }
        g.loopLooks();
        if (g.loopReads()) {
            g.readByLoop(buffer);
            failure = g.failure();
            if (failure != null) {
                throw asIOException(failure);
            }
        }
        int waiting = g.undeliveredCount();
        if (waiting == 0) {
            return WOULD_BLOCK;
        }
        // More than one batch stays for the next read, which the drain does while demand lasts.
        return Math.min(waiting, buffer.capacity());
    }

    private static IOException asIOException(Throwable t) {
        if (t instanceof IOException) {
            return (IOException) t;
        }
        if (t instanceof UncheckedIOException) {
            return ((UncheckedIOException) t).getCause();
        }
        return new IOException("the permission deadline keeper failed: " + t, t);
    }

    /**
     * The oldest request not yet delivered, or {@code null} when its deadline allowed it
     * meanwhile. Loop thread.
     */
    @Override
    public PermissionRequest decode(ByteBuffer batch, SourceContext context) {
        batch.position(batch.position() + 1);
        PermissionGroup g = byContext.get(context);
        if (g == null) {
            return null;
        }
        long lost = g.takeOverflows();
        if (lost > 0) {
            context.reportLoss(lost);
        }
        return g.nextUndelivered();
    }

    /**
     * A subscription ended and closed the loop's fd of its group: allows everything its group still holds, then
     * closes the group fd. Loop thread.
     */
    @Override
    public void closed() {
        Iterator<Map.Entry<OwnedFd, PermissionGroup>> it = byLoopFd.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<OwnedFd, PermissionGroup> e = it.next();
            if (!e.getKey().isOpen()) {
                PermissionGroup g = e.getValue();
                it.remove();
                byContext.remove(g.context(), g);
                g.end();
            }
        }
    }

    // ---- counters, updated by the groups ----

    void countReceived(boolean byLoop) {
        if (byLoop) {
            readByLoop.incrementAndGet();
        }
        received.incrementAndGet();
    }

    void countAllowed() {
        allowed.incrementAndGet();
    }

    void countDenied() {
        denied.incrementAndGet();
    }

    void countAllowedAtDeadline() {
        allowedAtDeadline.incrementAndGet();
    }

    void countAllowedAtEnd() {
        allowedAtEnd.incrementAndGet();
    }

    void countOverflow() {
        overflows.incrementAndGet();
    }

    // ---- errors ----

    private KernelException initFailure(int errno) {
        String call = "fanotify_init(FAN_CLASS_CONTENT)";
        switch (errno) {
            case Errno.EPERM:
                return new MissingPrivilegeException(call, errno, "CAP_SYS_ADMIN", "permission events need it in the thread"
                        + " that opens the source (the event loop's); grant it (setcap cap_sys_admin+ep, AmbientCapabilities="
                        + "CAP_SYS_ADMIN in a systemd unit, or the container's capabilities) or run as root");
            case Errno.EINVAL:
                return new UnsupportedKernelFeatureException(call, errno, "fanotify permission events (FAN_CLASS_CONTENT)",
                        "the kernel was built without CONFIG_FANOTIFY_ACCESS_PERMISSIONS; use a kernel that enables it");
            case Errno.ENOSYS:
                return new UnsupportedKernelFeatureException(call, errno, "fanotify",
                        "the kernel was built without CONFIG_FANOTIFY (Linux 2.6.37 and later have it)");
            case Errno.EMFILE:
                return new ResourceLimitException(call, errno, "fs.fanotify.max_user_groups or RLIMIT_NOFILE",
                        "max_user_groups " + Limits.readProc("/proc/sys/fs/fanotify/max_user_groups") + ", RLIMIT_NOFILE "
                                + Limits.openFilesDescription(),
                        "each permission subscription holds one fanotify group and one fd; end subscriptions no longer"
                                + " needed, or raise the limit (sysctl fs.fanotify.max_user_groups=N, ulimit -n)");
            default:
                return Errno.exception(call, errno, "CAP_SYS_ADMIN");
        }
    }

    private IOException markFailure(FanotifyMark mark, int errno) {
        String call = "fanotify_mark";
        String path = mark.path().toString();
        KernelException cause = new KernelException(call, errno, "marking " + mark);
        switch (errno) {
            case Errno.ENOENT:
            case Errno.ENOTDIR: {
                NoSuchFileException e = new NoSuchFileException(path, null, "cannot place a permission mark: "
                        + Errno.describe(errno) + "; the marked file or directory must exist: create it first or fix the"
                        + " path of the PermissionWatch");
                e.initCause(cause);
                return e;
            }
            case Errno.EACCES: {
                AccessDeniedException e = new AccessDeniedException(path, null, "cannot place a permission mark: "
                        + Errno.describe(errno) + "; the event loop's thread may not search a directory on the path");
                e.initCause(cause);
                return e;
            }
            case Errno.EPERM:
                return new MissingPrivilegeException(call, errno, "CAP_SYS_ADMIN", "marking " + mark
                        + " for permission events; grant it to the process or run as root");
            case Errno.ENOSPC:
                return new ResourceLimitException(call, errno, "fs.fanotify.max_user_marks",
                        Limits.readProc("/proc/sys/fs/fanotify/max_user_marks"), "other fanotify groups of this user hold"
                                + " the marks; remove marks no longer needed or raise it (sysctl fs.fanotify.max_user_marks=N)");
            case Errno.EINVAL:
                if (watch.kinds().contains(PermissionKind.OPEN_EXEC)) {
                    return new UnsupportedKernelFeatureException(call, errno, "FAN_OPEN_EXEC_PERM",
                            "OPEN_EXEC requests need " + PermissionKind.OPEN_EXEC.since() + "; leave PermissionKind.OPEN_EXEC"
                                    + " out of the watch on this kernel (marking " + mark + ")");
                }
                if (mark.scope() == MarkScope.FILESYSTEM) {
                    return new UnsupportedKernelFeatureException(call, errno, "FAN_MARK_FILESYSTEM",
                            "filesystem marks need Linux 4.20; use MarkScope.MOUNT or PATH (marking " + mark + ")");
                }
                return new KernelException(call, errno, "the kernel refused mask 0x" + Long.toHexString(watch.mask(mark.scope()))
                        + " on " + mark + "; check that the path's filesystem supports fanotify permission events");
            case EXDEV:
            case ENODEV:
                return new KernelException(call, errno, "fanotify cannot mark " + mark + " (a pseudo filesystem, a"
                        + " btrfs subvolume, or an overlay); mark a path on a regular filesystem");
            default:
                return Errno.exception(call, errno, null);
        }
    }
}
