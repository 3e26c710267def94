package io.aem.linux.fs;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.aem.linux.ClosedFdException;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.EventFd;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deadline keeper: the one thread of this process that answers, itself, every permission
 * request nobody answered in time, and reads a permission group whenever its loop does not.
 *
 * <p><b>Why a thread, when AEM has "no thread per event, per process or per file"?</b> A
 * permission request stops another thread inside a system call until someone answers. The event
 * loop cannot be that someone in every case: any JVM thread can touch a marked file (class
 * loading, logging, a library, the subscriber's own handler running on the loop) and then waits
 * for a decision like any other process; if the waiting thread were the one meant to read or to
 * time out the request, nothing would ever answer it. So the deadline lives on a thread that
 * does nothing else and never touches a file: it only calls {@code epoll_wait}, {@code epoll_ctl},
 * {@code read} on fanotify fds and its wake-up eventfd, {@code readlink} of {@code /proc} links,
 * {@code write} of responses, and {@code close} of event fds. It is one thread per
 * <em>process</em>, shared by every permission subscription of every loop; it exists while at
 * least one permission subscription is open and exits (closing its epoll fd and eventfd) when the
 * last one ends.
 *
 * <p><b>Reading.</b> The loop reads its group while the subscriber has demand (the fast path,
 * one thread per request as in a C listener); its requests join the same pending list, and the
 * loop tells the keeper only when the keeper sleeps without a timeout ({@link #queuedByLoop}).
 * The keeper watches every group with a one-shot {@code EPOLLIN} interest. Reported readable
 * without demand, the group is read at once and the interest re-armed. Reported readable while
 * the loop is the one to read, a grace window opens ({@link PermissionGroup#GRACE_NANOS}); at its
 * end the keeper reads the group itself if the loop did not read it meanwhile (the loop thread
 * may be blocked, possibly on a marked file), and re-arms. What the keeper reads goes to the
 * subscription, and the loop is asked to look ({@code SourceContext.readAgain}); the kernel
 * gives each event to one reader only. Two readers cost nothing in the common case: an idle loop
 * reads within microseconds, and the keeper wakes at most twice per grace period per busy group.
 *
 * <p><b>Timing out</b> requests the loop read: the keeper does not see them arrive. While loops
 * queue requests it never sleeps longer than the shortest deadline period of any group (a
 * request queued while it sleeps has a deadline at least that far away); once a whole period
 * passes with nothing queued or pending it sleeps without a timeout, and the next loop that
 * queues a request wakes it through its eventfd.
 *
 * <p><b>Never touching the filesystem.</b> Every class the keeper, the answer path and the end
 * path need is loaded and initialised when this class is initialised, which happens before the
 * first mark of the first permission subscription is placed (and the code paths that build
 * objects, strings and exceptions are run once then). The keeper does not log: a logging
 * framework may read its configuration or open files on first use. Its failures end the
 * affected subscriptions instead, through {@link PermissionGroup#fail}. What remains outside this
 * guarantee: JDK classes loaded by code the keeper runs for the first time later (a failure path
 * not exercised at start-up) come from the runtime image, which the JVM maps into memory rather
 * than reading with {@code read(2)}; and a mark over {@code /proc} is not supported.
 *
 * <p><b>Its credentials</b> are those of the thread that started it (the event loop that opened
 * the first permission subscription): Linux capabilities are per thread. It needs none to answer;
 * reading another user's {@code /proc/<pid>/exe} needs {@code CAP_SYS_PTRACE}, otherwise the
 * executable is reported as absent.
 *
 * <p>Costs: one thread, one epoll fd, one eventfd, a 4 KiB read buffer, for the whole process;
 * while requests arrive, a wake-up per shortest deadline period and up to two per grace period
 * per busy group; none while nothing is pending.
 */
final class PermissionKeeper implements Runnable {
    /** The keeper thread's name. */
    static final String THREAD_NAME = "aem-permission-keeper";
    private static final long WAKE_TOKEN = -1L;
    private static final int READ_BUFFER = 4096;
    private static final Object LIFECYCLE = new Object();
    private static final PermissionGroup[] NONE = new PermissionGroup[0];
    /**
     * The keeper's interest in a group fd: one readiness report, then nothing until re-armed. The
     * keeper re-arms at once after reading; while the loop is the one to read, only when the
     * grace window ends, so a busy group wakes the keeper at most twice per grace period.
     */
    private static final int KEEPER_INTEREST = Epoll.EPOLLIN | Epoll.EPOLLONESHOT;

    /** The running keeper, or {@code null}; guarded by {@link #LIFECYCLE}. */
    private static PermissionKeeper current;

    static {
        preload();
    }

    private final OwnedFd epoll;
    private final OwnedFd wake;
    private final EpollEventArray events = new EpollEventArray(32);
    private final ReadBuffer buffer = new ReadBuffer(READ_BUFFER);
    private final ProcLinks links = new ProcLinks();
    /** The response scratch of the keeper thread. */
    private final Memory scratch = new Memory(Fanotify.RESPONSE_SIZE);
    private final Memory wakeSink = new Memory(8);
    /** The keeper's {@code epoll_ctl} scratch (re-arming a group). */
    private final Memory ctl = new Memory(EpollEventArray.EVENT_SIZE);
    /** Requests queued by loops so far; the keeper compares it with what it saw before sleeping. */
    private final AtomicLong queuedByLoops = new AtomicLong();
    /** Keeper thread only: {@link #queuedByLoops} when the keeper last chose its timeout. */
    private long queuedSeen;
    /** Set while the keeper sleeps without a timeout; a loop that queues a request then wakes it. */
    private volatile boolean idle;
    private final Thread thread;
    /** Copy-on-write under {@link #LIFECYCLE}; read by the keeper without locking. */
    private volatile PermissionGroup[] groups = NONE;
    private volatile boolean stopping;

    private PermissionKeeper() throws KernelException {
        int ep = Epoll.create();
        if (ep < 0) {
            releaseMemory();
            throw Errno.exception("epoll_create1 (permission deadline keeper)", -ep, null);
        }
        epoll = new OwnedFd(ep, "epoll (permission deadline keeper)");
        int w = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (w < 0) {
            epoll.close();
            releaseMemory();
            throw Errno.exception("eventfd (permission deadline keeper)", -w, null);
        }
        wake = new OwnedFd(w, "eventfd (wake-up of the permission deadline keeper)");
        int r;
        try (Memory ctl = new Memory(EpollEventArray.EVENT_SIZE)) {
            r = Epoll.ctl(ep, Epoll.EPOLL_CTL_ADD, w, Epoll.EPOLLIN, WAKE_TOKEN, ctl);
        }
        if (r < 0) {
            releaseFds();
            releaseMemory();
            throw Errno.exception("epoll_ctl(EPOLL_CTL_ADD) (permission deadline keeper)", -r, null);
        }
        thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
    }

    /**
     * Hands a group to the keeper, starting the keeper if none runs. Reading starts at once.
     *
     * @throws KernelException if the keeper's fds cannot be created or the group cannot be watched
     */
    static void attach(PermissionGroup group) throws KernelException {
        synchronized (LIFECYCLE) {
            PermissionKeeper k = current;
            boolean fresh = k == null;
            if (fresh) {
                k = new PermissionKeeper();
            }
            k.add(group);
            if (fresh) {
                current = k;
                k.thread.start();
            }
        }
    }

    private void add(PermissionGroup group) throws KernelException {
        int r;
        int fd = group.groupFd().acquire();
        try (Memory ctl = new Memory(EpollEventArray.EVENT_SIZE)) {
            r = Epoll.ctl(epoll.get(), Epoll.EPOLL_CTL_ADD, fd, KEEPER_INTEREST, group.id(), ctl);
        } finally {
            group.groupFd().release();
        }
        if (r < 0) {
            if (groups.length == 0) {
                // A keeper made for this group and never started.
                releaseFds();
                releaseMemory();
            }
            throw Errno.exception("epoll_ctl(EPOLL_CTL_ADD) (permission deadline keeper)", -r, null);
        }
        PermissionGroup[] now = groups;
        PermissionGroup[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = group;
        groups = next;
        group.attachedTo(this);
    }

    /** Stops reading the group; the keeper exits once it has no group left. Any thread; idempotent. */
    void detach(PermissionGroup group) {
        synchronized (LIFECYCLE) {
            PermissionGroup[] now = groups;
            int at = -1;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == group) {
                    at = i;
                }
            }
            if (at < 0) {
                return;
            }
            PermissionGroup[] next = new PermissionGroup[now.length - 1];
            System.arraycopy(now, 0, next, 0, at);
            System.arraycopy(now, at + 1, next, at, now.length - at - 1);
            groups = next;
            if (group.groupFd().isOpen() && epoll.isOpen()) {
                try {
                    int fd = group.groupFd().acquire();
                    int ep = epoll.acquire();
                    try (Memory ctl = new Memory(EpollEventArray.EVENT_SIZE)) {
                        Epoll.ctl(ep, Epoll.EPOLL_CTL_DEL, fd, 0, 0, ctl);
                    } finally {
                        epoll.release();
                        group.groupFd().release();
                    }
                } catch (ClosedFdException e) {
                    // Closed meanwhile: the kernel removed it from the epoll set.
                }
            }
            if (next.length == 0) {
                stopping = true;
                if (current == this) {
                    current = null;
                }
                wakeUp();
            }
        }
    }

    /**
     * A loop queued requests it read: the keeper must time them out. Wakes the keeper only if it
     * sleeps without a timeout; otherwise its timeout is at most one deadline away. Loop thread.
     *
     * @param value 8 bytes of the calling thread's own
     */
    void queuedByLoop(Pointer value) {
        queuedByLoops.incrementAndGet();
        if (idle) {
            idle = false;
            value.setLong(0, 1L);
            try {
                int f = wake.acquire();
                try {
                    Io.write(f, value, 8);
                } finally {
                    wake.release();
                }
            } catch (ClosedFdException e) {
                // The keeper has exited.
            }
        }
    }

    /** Wakes the keeper from another thread, with memory of that thread's own (the keeper frees its own on exit). */
    private void wakeUp() {
        try (Memory value = new Memory(8)) {
            value.setLong(0, 1L);
            int f = wake.acquire();
            try {
                Io.write(f, value, 8);
            } finally {
                wake.release();
            }
        } catch (ClosedFdException e) {
            // The keeper has exited.
        }
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            failAll(t);
        } finally {
            synchronized (LIFECYCLE) {
                if (current == this) {
                    current = null;
                }
                stopping = true;
            }
            releaseFds();
            releaseMemory();
        }
    }

    private void loop() throws KernelException {
        final int ep = epoll.get();
        for (;;) {
            PermissionGroup[] gs = groups;
            if (stopping && gs.length == 0) {
                return;
            }
            int n = Epoll.wait(ep, events, timeoutMillis(gs));
            idle = false;
            if (n < 0 && n != -Errno.EINTR) {
                throw Errno.exception("epoll_wait (permission deadline keeper)", -n, null);
            }
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long token = events.data(i);
                if (token == WAKE_TOKEN) {
                    Io.read(wake.get(), wakeSink, 8);
                    continue;
                }
                PermissionGroup g = find(token);
                if (g != null) {
                    try {
                        if (g.loopReads()) {
                            // The loop watches the group too and reads it; step in only if it does not.
                            g.openGrace(now);
                        } else {
                            g.readByKeeper(buffer, links, scratch);
                            rearm(ep, g);
                        }
                    } catch (Throwable t) {
                        g.fail(t);
                    }
                }
            }
            now = System.nanoTime();
            for (PermissionGroup g : groups) {
                try {
                    int grace = g.closeGraceIfOver(now);
                    if (grace > 0) {
                        g.readByKeeper(buffer, links, scratch);
                    }
                    if (grace >= 0) {
                        rearm(ep, g);
                    }
                    g.expire(now, scratch, links);
                } catch (Throwable t) {
                    g.fail(t);
                }
            }
        }
    }

    /** Re-arms the keeper's one-shot interest in the group; quietly nothing once the group was detached or closed. */
    private void rearm(int ep, PermissionGroup g) {
        int fd;
        try {
            fd = g.groupFd().acquire();
        } catch (ClosedFdException e) {
            return;
        }
        try {
            Epoll.ctl(ep, Epoll.EPOLL_CTL_MOD, fd, KEEPER_INTEREST, g.id(), ctl);
        } finally {
            g.groupFd().release();
        }
    }

    private PermissionGroup find(long token) {
        for (PermissionGroup g : groups) {
            if (g.id() == token) {
                return g;
            }
        }
        return null;
    }

    /**
     * The {@code epoll_wait} timeout, rounded up to the millisecond. With nothing pending, no
     * grace window open, and no request queued by a loop since the keeper last looked:
     * {@code -1}, with {@link #idle} set, so that the next loop that queues a request wakes the
     * keeper (the keeper sets {@code idle} and then checks again; a loop counts its request and
     * then reads {@code idle}: both are volatile, so at least one of them sees the other).
     * Otherwise until the earliest deadline or end of a grace window, and never longer than the
     * shortest deadline period of any group: a loop may queue a request while the keeper sleeps
     * without telling it, and that request's deadline is at least one period away.
     */
    private int timeoutMillis(PermissionGroup[] gs) {
        long q = queuedByLoops.get();
        boolean quiet = q == queuedSeen && earliest(gs, System.nanoTime()) < 0;
        queuedSeen = q;
        if (quiet) {
            idle = true;
            if (earliest(gs, System.nanoTime()) < 0 && queuedByLoops.get() == q) {
                return -1;
            }
            idle = false;
        }
        long earliest = min(earliest(gs, System.nanoTime()), shortestDeadline(gs));
        if (earliest < 0) {
            return -1;
        }
        return (int) Math.min(Integer.MAX_VALUE, (earliest + 999_999) / 1_000_000);
    }

    private static long earliest(PermissionGroup[] gs, long now) {
        long earliest = -1;
        for (PermissionGroup g : gs) {
            earliest = min(earliest, g.nanosToNextDeadline(now));
            earliest = min(earliest, g.nanosToGraceEnd(now));
        }
        return earliest;
    }

    private static long shortestDeadline(PermissionGroup[] gs) {
        long shortest = -1;
        for (PermissionGroup g : gs) {
            shortest = min(shortest, g.deadline().toNanos());
        }
        return shortest;
    }

    /** The smaller of two durations in nanoseconds where {@code -1} means none. */
    private static long min(long a, long b) {
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }

    private void failAll(Throwable t) {
        for (PermissionGroup g : groups) {
            try {
                g.fail(t);
            } catch (Throwable ignored) {
                // Keep failing the others.
            }
        }
    }

    private void releaseFds() {
        wake.close();
        epoll.close();
    }

    private void releaseMemory() {
        events.close();
        buffer.close();
        links.close();
        scratch.close();
        wakeSink.close();
        ctl.close();
    }

    /**
     * Loads and initialises what the keeper, the answer path and the end path use, and runs the
     * paths that build objects, strings and exceptions once, so that none of it loads a class
     * (which may read a jar) while marks are live.
     */
    private static void preload() {
        Class<?>[] classes = {
            PermissionGroup.class, PermissionRequest.class, PermissionKind.class, PermissionRecords.class,
            PermissionRecords.Header.class, PermissionStats.class, ProcLinks.class, MalformedRecordException.class,
            KernelException.class, ResourceLimitException.class, ClosedFdException.class, UncheckedIOException.class,
            ArrayDeque.class, Optional.class, AtomicBoolean.class, AtomicLong.class, Instant.class, Duration.class, Arrays.class, ByteBuffer.class,
            Fanotify.class, Io.class, Epoll.class, EpollEventArray.class, EventFd.class, Limits.class, Errno.class,
        };
        ClassLoader loader = PermissionKeeper.class.getClassLoader();
        for (Class<?> c : classes) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader() != null ? c.getClassLoader() : loader);
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        PermissionKind.ofMask(Fanotify.FAN_OPEN_PERM);
        // The object, string and path building of a request, on this process's own links.
        try (ProcLinks warm = new ProcLinks()) {
            String exe = warm.exe((int) ProcessHandle.current().pid());
            Path p = exe == null ? Path.of("/") : Path.of(exe);
            Optional.ofNullable(p).isPresent();
            warm.fd(0);
            warm.isDirectory(0);
        }
        Instant.now().plus(Duration.ofMillis(1));
        ArrayDeque<Object> deque = new ArrayDeque<>();
        deque.addLast(deque);
        deque.remove(deque);
        deque.toArray(new PermissionRequest[0]);
        // The decoder, on a synthetic overflow record.
        try (Memory m = new Memory(Fanotify.METADATA_SIZE)) {
            ByteBuffer b = m.getByteBuffer(0, Fanotify.METADATA_SIZE).order(ByteOrder.nativeOrder());
            b.putInt(0, Fanotify.METADATA_SIZE).put(4, (byte) Fanotify.METADATA_VERSION)
                    .putShort(6, (short) Fanotify.METADATA_SIZE).putLong(8, Fanotify.FAN_Q_OVERFLOW)
                    .putInt(16, Fanotify.FAN_NOFD).putInt(20, 0);
            PermissionRecords.next(b);
            b.position(0).limit(1);
            PermissionRecords.next(b);
        } catch (MalformedRecordException expected) {
            // Built its message: string concatenation is bootstrapped.
        }
        // The failure paths' exceptions, and an acquire of a closed fd.
        new KernelException("read(fanotify)", Errno.EINVAL, "preload " + 1).getMessage();
        new ResourceLimitException("read(fanotify)", Errno.EMFILE, "RLIMIT_NOFILE", Limits.openFilesDescription(), "preload");
        new UncheckedIOException(new KernelException("write", Errno.ENOENT, null));
        int fd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (fd >= 0) {
            OwnedFd owned = new OwnedFd(fd, "eventfd (permission keeper preload)");
            owned.close();
            try {
                owned.acquire();
            } catch (ClosedFdException expected) {
                // Built its message.
            }
        }
    }
}
