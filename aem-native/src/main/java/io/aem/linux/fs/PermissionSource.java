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
import io.aem.linux.sys.EventFd;
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
 * <p><b>Deadline; no process hangs.</b> A request nobody answers within
 * {@link PermissionWatch#deadline()} is allowed and counted in
 * {@link PermissionStats#allowedAtDeadline()}. The deadline, and the reading of the groups,
 * belong to one process-wide <em>deadline keeper</em> thread, not to the event loop: any thread
 * of this JVM, the loop included, may itself be stopped by a permission event, and the thread
 * that must answer cannot be one that may be waiting. The keeper sleeps in {@code epoll_wait}
 * until a group has events or the earliest deadline comes, never touches a file, and answers
 * expired requests itself. See the package-private {@code PermissionKeeper} for why this one
 * thread exists despite "no thread per event": it is per process, not per event or per file.
 *
 * <p><b>Demand.</b> "No demand, no read" is bent here, on purpose. For other sources the kernel
 * keeps unread events at no cost to anyone; a permission event left in the kernel's queue is a
 * process stopped in {@code open(2)} with nobody to time it out. So the keeper reads every group
 * as soon as it is readable, whatever the demand, stamps each request's arrival, and hands it to
 * the subscription through an eventfd doorbell; the loop delivers only under demand, oldest
 * first. A request still undelivered at its deadline is allowed and dropped, so what waits in
 * Java is bounded by the requests of one deadline period, each of which is a thread somewhere
 * blocked in a system call. A subscriber whose demand returns within the deadline still receives
 * what arrived meanwhile.
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
 * request until the deadline allows it: move such work away with {@code publishOn}.
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
 * <p><b>Costs.</b> Per subscription: one fanotify group fd, one eventfd, the kernel's marks.
 * Per pending request: the kernel's event and one fd of this process, until answered. Per
 * process: one keeper thread with one epoll fd and one eventfd, while any subscription is open.
 * Per request: a {@code read} share, two {@code readlink}s, a doorbell write, and the answer's
 * 8-byte {@code write} and the event fd's {@code close}.
 */
public final class PermissionSource implements EventSource<PermissionRequest> {
    private static final int BATCH = 64;
    private static final int EXDEV = 18;
    private static final int ENODEV = 19;

    private final PermissionWatch watch;
    private final String name;
    private final Map<OwnedFd, PermissionGroup> byDoorbell = new ConcurrentHashMap<>();
    private final Map<SourceContext, PermissionGroup> byContext = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong allowed = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong allowedAtDeadline = new AtomicLong();
    private final AtomicLong allowedAtEnd = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();

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

    @Override
    public String name() {
        return name;
    }

    /**
     * Opens a fanotify group, hands it to the deadline keeper and places the marks. Loop thread.
     *
     * @return the doorbell eventfd the loop watches; the group fd is owned by the subscription's
     *         state and closed when it ends
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
        int bell = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (bell < 0) {
            group.close();
            throw Errno.exception("eventfd (permission doorbell)", -bell, null);
        }
        OwnedFd doorbell = new OwnedFd(bell, "eventfd (doorbell of fanotify permission group fd " + fd + ")");
        PermissionGroup g = new PermissionGroup(this, group, doorbell, context, watch.deadline(), watch.directories());
        try {
            // Starting the keeper loads every class it needs, before any mark exists.
            PermissionKeeper.attach(g);
            for (FanotifyMark mark : watch.marks()) {
                int r = Fanotify.mark(group.get(), Fanotify.FAN_MARK_ADD | markFlags(mark.scope()), watch.mask(mark.scope()),
                        mark.path().toString());
                if (r < 0) {
                    throw markFailure(mark, -r);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            g.end();
            doorbell.close();
            throw e;
        }
        byDoorbell.put(doorbell, g);
        byContext.put(context, g);
        return doorbell;
    }

    private static int markFlags(MarkScope scope) {
        switch (scope) {
            case MOUNT:
                return Fanotify.FAN_MARK_MOUNT;
            case FILESYSTEM:
                return Fanotify.FAN_MARK_FILESYSTEM;
            default:
                return Fanotify.FAN_MARK_INODE;
        }
    }

    /** {@value #BATCH}: the most requests one read hands to the loop. */
    @Override
    public int batchSize() {
        return BATCH;
    }

    /**
     * Empties the doorbell and reports how many requests wait for delivery (one byte each in the
     * batch; the requests themselves stay with the subscription's state so that the deadline
     * keeper can still allow them). Ends the stream with the keeper's error, if it had one.
     */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws IOException {
        PermissionGroup g = byDoorbell.get(fd);
        if (g == null) {
            return END_OF_STREAM;
        }
        Throwable failure = g.failure();
        if (failure != null) {
            throw asIOException(failure);
        }
        int f = fd.get();
        long n;
        do {
            n = Io.read(f, buffer.address(), 8);
        } while (n == -Errno.EINTR);
        int waiting = g.undeliveredCount();
        if (waiting == 0) {
            return WOULD_BLOCK;
        }
        int take = Math.min(waiting, buffer.capacity());
        if (waiting > take) {
            // More than one batch: leave the doorbell ringing, so the loop comes back next turn.
            buffer.buffer().putLong(0, 1L);
            Io.write(f, buffer.address(), 8);
        }
        return take;
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
     * A subscription ended and closed its doorbell: allows everything its group still holds, then
     * closes the group fd. Loop thread.
     */
    @Override
    public void closed() {
        Iterator<Map.Entry<OwnedFd, PermissionGroup>> it = byDoorbell.entrySet().iterator();
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

    void countReceived() {
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
