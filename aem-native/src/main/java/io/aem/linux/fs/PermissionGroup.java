package io.aem.linux.fs;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.aem.linux.ClosedFdException;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscription's fanotify group and the requests read from it: the state shared by the event
 * loop (which reads the group while its subscriber has demand, delivers, and ends the group), the
 * deadline keeper (which answers at deadlines and reads the group when the loop does not) and any
 * thread that answers.
 *
 * <p><b>Two readers.</b> The kernel hands each queued event to exactly one {@code read(2)} of the
 * group fd, so the loop and the keeper may read concurrently; each reader decodes its own buffer
 * with its own {@link ProcLinks} and queues the requests it made under this object's monitor,
 * stamping their arrival there, so that {@code pending} stays in arrival (and deadline) order.
 * The loop reads through {@link #readByLoop}, only while the subscriber has demand; the keeper
 * through {@link #readByKeeper}, when there is no demand or when the loop has not read for a
 * grace period while the group was readable ({@link #graceNanos()}), and then asks the loop to
 * look ({@link SourceContext#readAgain()}, at most once until the loop has looked).
 *
 * <p>Every request read is in {@code pending} until it is answered, in arrival order, which is
 * also deadline order (one deadline per group); those not yet handed to the subscriber are also
 * in {@code undelivered}, a subsequence of {@code pending}. Both are guarded by this object's
 * monitor, held only for a few memory operations: never across a system call, never while
 * touching a file, so no thread waiting for a permission decision can hold it.
 *
 * <p>Exactly-once: a request's answer and the close of its event fd belong to whoever wins
 * {@link PermissionRequest#claim}; the group fd is acquired around the claim and the write, and
 * is closed only after every request read from it has been claimed, so an answer never reaches
 * a closed or reused fd, and a claimed request is always answered to the kernel (or, if the
 * kernel refuses the write, the group ends and the kernel allows it on close).
 */
final class PermissionGroup {
    private static final AtomicLong IDS = new AtomicLong();
    /** Reads per readiness report before the keeper looks at the other groups and the deadlines. */
    private static final int MAX_READS_PER_TURN = 16;
    private static final Path NO_PATH = Path.of("");
    private static final int BY_SUBSCRIBER = 0;
    private static final int BY_DEADLINE = 1;
    private static final int AT_END = 2;
    /**
     * How long the group may stay readable, while the loop is the one to read it, before the
     * keeper reads it instead: 5 ms, or a quarter of the deadline if that is shorter. Long enough
     * that a loop merely busy with other streams, a scheduler delay or a short GC pause does not
     * hand the reading over (which would cost the request a keeper wake-up and a loop task),
     * short against any deadline, so that a request whose process the loop thread itself is
     * (class loading, logging, a handler opening a marked file) is still read, stamped and
     * timed out: it waits at most two grace periods in the kernel's queue before the keeper
     * reads it (the second if the loop read once inside the first window and then stopped).
     */
    static final long GRACE_NANOS = 5_000_000L;

    private final long id = IDS.incrementAndGet();
    private final PermissionSource source;
    private final OwnedFd groupFd;
    /** The second fd of the group that the loop watches; owned (and closed) by the subscription. */
    private final OwnedFd loopFd;
    private final SourceContext context;
    private final Duration wait;
    private final boolean directories;

    /** Loop thread only: the loop's links and its 8 bytes of response and wake-up scratch. */
    private final ProcLinks loopLinks;
    private final Memory loopScratch;
    /** Whether the keeper asked the loop to look at {@code undelivered} and the loop has not looked yet. */
    private final AtomicBoolean loopCalled = new AtomicBoolean();
    /** Reads of the group by the loop; written by the loop only, read by the keeper to see progress. */
    private volatile long loopReads;
    private final long graceNanos;

    // Keeper thread only: the grace window opened when the group was reported readable while the loop was to read it.
    private long graceStart;
    private long loopReadsAtGraceStart;

    private final ArrayDeque<PermissionRequest> pending = new ArrayDeque<>();
    private final ArrayDeque<PermissionRequest> undelivered = new ArrayDeque<>();
    private boolean closed;
    private long overflowsToReport;

    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Throwable failure;
    private volatile PermissionKeeper keeper;

    PermissionGroup(PermissionSource source, OwnedFd groupFd, OwnedFd loopFd, SourceContext context, Duration wait,
            boolean directories) {
        this.source = source;
        this.directories = directories;
        this.groupFd = groupFd;
        this.loopFd = loopFd;
        this.context = context;
        this.wait = wait;
        this.graceNanos = Math.max(1, Math.min(GRACE_NANOS, wait.toNanos() / 4));
        this.loopLinks = new ProcLinks();
        this.loopScratch = new Memory(Math.max(8, Fanotify.RESPONSE_SIZE));
    }

    long id() {
        return id;
    }

    OwnedFd groupFd() {
        return groupFd;
    }

    OwnedFd loopFd() {
        return loopFd;
    }

    SourceContext context() {
        return context;
    }

    void attachedTo(PermissionKeeper k) {
        keeper = k;
    }

    Duration deadline() {
        return wait;
    }

    long graceNanos() {
        return graceNanos;
    }

    /**
     * Whether the loop is the one to read the group now: its subscriber has demand (the loop
     * then watches the group fd for {@code EPOLLIN}). Any thread; a volatile read.
     */
    boolean loopReads() {
        return context.demand() > 0;
    }

    // ---- deadline keeper thread ----

    /** The keeper's readiness report came while the loop was to read: opens the grace window. Keeper thread. */
    void openGrace(long now) {
        graceStart = now == 0 ? 1 : now;
        loopReadsAtGraceStart = loopReads;
    }

    /** Nanoseconds until the grace window ends, {@code 0} if it has, {@code -1} if none is open. Keeper thread. */
    long nanosToGraceEnd(long now) {
        if (graceStart == 0) {
            return -1;
        }
        return Math.max(0, graceStart + graceNanos - now);
    }

    /**
     * Ends the grace window if it is over. Keeper thread.
     *
     * @return {@code -1} if no window ended; {@code 1} if it ended without the loop reading
     *         meanwhile (or without demand any more), so the keeper must read; {@code 0} if the loop
     *         read meanwhile
     */
    int closeGraceIfOver(long now) {
        if (graceStart == 0 || now - graceStart < graceNanos) {
            return -1;
        }
        graceStart = 0;
        return loopReads == loopReadsAtGraceStart || !loopReads() ? 1 : 0;
    }

    /**
     * Reads what the kernel queued, turns each event into a request, and asks the loop to look.
     * Keeper thread only (its buffer, links and scratch memory).
     */
    void readByKeeper(ReadBuffer buffer, ProcLinks links, Pointer scratch) {
        if (readFromKernel(buffer, links, scratch, MAX_READS_PER_TURN, false) > 0) {
            callLoop();
        }
    }

    /** Asks the loop to look at {@code undelivered}, unless it was asked and has not looked yet. */
    private void callLoop() {
        if (!loopCalled.getAndSet(true)) {
            context.readAgain();
        }
    }

    // ---- event loop thread ----

    /**
     * One {@code read(2)} of the group by the loop, into the subscription's batch buffer; the
     * requests join {@code pending} and {@code undelivered} as the keeper's do, and the keeper
     * learns that it has requests to time out. Loop thread only.
     */
    void readByLoop(ReadBuffer buffer) {
        loopReads = loopReads + 1;
        if (readFromKernel(buffer, loopLinks, loopScratch, 1, true) > 0) {
            PermissionKeeper k = keeper;
            if (k != null) {
                k.queuedByLoop(loopScratch);
            }
        }
    }

    /** The loop is looking at {@code undelivered}: the keeper's next request calls it again. Loop thread. */
    void loopLooks() {
        if (loopCalled.get()) {
            loopCalled.set(false);
        }
    }

    /** Reads up to {@code maxReads} times; returns how many requests were queued. */
    private int readFromKernel(ReadBuffer buffer, ProcLinks links, Pointer scratch, int maxReads, boolean byLoop) {
        int queued = 0;
        int g;
        try {
            g = groupFd.acquire();
        } catch (ClosedFdException e) {
            return 0;
        }
        try {
            ByteBuffer batch = buffer.buffer();
            for (int reads = 0; reads < maxReads; reads++) {
                long n = Io.read(g, buffer.address(), buffer.capacity());
                if (n == -Errno.EINTR) {
                    reads--;
                    continue;
                }
                if (n == -Errno.EAGAIN || n == 0) {
                    return queued;
                }
                if (n < 0) {
                    fail(readFailure((int) -n));
                    return queued;
                }
                batch.clear();
                batch.limit((int) n);
                while (batch.hasRemaining()) {
                    PermissionRecords.Header h;
                    try {
                        h = PermissionRecords.next(batch);
                    } catch (MalformedRecordException e) {
                        // What follows cannot be located; ending the group makes the kernel allow it on close.
                        fail(e);
                        return queued;
                    }
                    if (take(g, h, links, scratch, byLoop)) {
                        queued++;
                    }
                }
            }
            return queued;
        } finally {
            groupFd.release();
        }
    }

    /** Turns one record into a queued request; returns whether one was queued. */
    private boolean take(int g, PermissionRecords.Header h, ProcLinks links, Pointer scratch, boolean byLoop) {
        long mask = h.mask();
        int fd = h.fd();
        if ((mask & Fanotify.FAN_Q_OVERFLOW) != 0) {
            source.countOverflow();
            synchronized (this) {
                overflowsToReport++;
            }
            if (fd >= 0) {
                Io.close(fd);
            }
            return false;
        }
        if (fd < 0) {
            return false;
        }
        PermissionKind kind = PermissionKind.ofMask(mask);
        if (kind == null) {
            // Not a request this source knows how to present: it must not wait for anyone.
            Fanotify.respond(g, fd, Fanotify.FAN_ALLOW, scratch);
            Io.close(fd);
            return false;
        }
        // The path is named when first asked, or right after the answer is written (PermissionRequest#path).
        String exe = links.exe(h.pid());
        // fd-mode groups do not report FAN_ONDIR in the event mask: ask the fd.
        boolean directory = directories && links.isDirectory(fd);
        Path executable = exe == null ? null : path(exe);
        Instant arrival = Instant.now();
        source.countReceived(byLoop);
        PermissionRequest r;
        boolean isClosed;
        synchronized (this) {
            // Stamped under the monitor: with two readers, pending stays in deadline order.
            r = new PermissionRequest(this, kind, directory, h.pid(), executable, arrival, System.nanoTime(), wait, fd);
            isClosed = closed;
            if (!isClosed) {
                pending.addLast(r);
                undelivered.addLast(r);
            }
        }
        if (isClosed) {
            answerAtEnd(r, scratch, links);
            return false;
        }
        return true;
    }

    /**
     * Names the object of an event fd that is still open: {@code readlink} of
     * {@code /proc/self/fd/N}. With {@code links == null}, the loop's own links on the group's
     * loop thread, otherwise links made for this call.
     */
    Path name(int eventFd, ProcLinks links) {
        if (links != null) {
            return path(links.fd(eventFd));
        }
        if (context.loop().inEventLoop() && !ended.get()) {
            return path(loopLinks.fd(eventFd));
        }
        try (ProcLinks own = new ProcLinks()) {
            return path(own.fd(eventFd));
        }
    }

    private static Path path(String s) {
        if (s == null) {
            return NO_PATH;
        }
        try {
            return Path.of(s);
        } catch (RuntimeException e) {
            return NO_PATH;
        }
    }

    /** Nanoseconds until the earliest deadline, {@code 0} if one has passed, {@code -1} if nothing waits. */
    synchronized long nanosToNextDeadline(long now) {
        PermissionRequest r = pending.peekFirst();
        return r == null ? -1 : Math.max(0, r.deadlineNanos() - now);
    }

    /** Allows every request whose deadline has passed. Keeper thread. */
    void expire(long now, Pointer scratch, ProcLinks links) {
        for (;;) {
            PermissionRequest r;
            synchronized (this) {
                r = pending.peekFirst();
                if (r == null || r.deadlineNanos() - now > 0) {
                    return;
                }
                pending.pollFirst();
                if (undelivered.peekFirst() == r) {
                    undelivered.pollFirst();
                }
            }
            respond(r, Fanotify.FAN_ALLOW, BY_DEADLINE, scratch, links);
        }
    }

    /** Requests read and not yet handed to the subscriber. */
    synchronized int undeliveredCount() {
        return undelivered.size();
    }

    /** The oldest request not yet handed to the subscriber, or {@code null} if the deadline took it meanwhile. */
    synchronized PermissionRequest nextUndelivered() {
        return undelivered.pollFirst();
    }

    /** Overflow records seen since the last call. */
    synchronized long takeOverflows() {
        long n = overflowsToReport;
        overflowsToReport = 0;
        return n;
    }

    /** What ended this group from the keeper's side (a read refused, a malformed record), or {@code null}. */
    Throwable failure() {
        return failure;
    }

    /**
     * Ends the group: stops the keeper reading it, allows every request still waiting (delivered
     * or not), then closes the group fd, upon which the kernel allows whatever it still had queued.
     * Idempotent; any thread (the loop, or {@code open} failing).
     */
    void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        PermissionKeeper k = keeper;
        if (k != null) {
            k.detach(this);
        }
        PermissionRequest[] all;
        synchronized (this) {
            closed = true;
            all = pending.toArray(new PermissionRequest[0]);
            pending.clear();
            undelivered.clear();
        }
        if (all.length > 0) {
            try (Memory scratch = new Memory(Fanotify.RESPONSE_SIZE); ProcLinks links = new ProcLinks()) {
                for (PermissionRequest r : all) {
                    answerAtEnd(r, scratch, links);
                }
            }
        }
        groupFd.close();
        if (context.loop().inEventLoop()) {
            // The loop's own memory, freed on the loop thread, which is the only one to use it. (A
            // group ended from another loop sharing the source leaves it to the garbage collector.)
            loopLinks.close();
            loopScratch.close();
        }
    }

    private void answerAtEnd(PermissionRequest r, Pointer scratch, ProcLinks links) {
        try {
            respond(r, Fanotify.FAN_ALLOW, AT_END, scratch, links);
        } catch (UncheckedIOException e) {
            // Claimed, and the group closes next: the kernel allows it then.
        }
    }

    // ---- any thread ----

    /** {@link PermissionRequest#allow()} and {@link PermissionRequest#deny()}. */
    boolean answerBySubscriber(PermissionRequest r, int response) {
        // On its own loop thread (onNext), the group's scratch: no allocation per answer.
        boolean onLoop = context.loop().inEventLoop() && !ended.get();
        if (!respond(r, response, BY_SUBSCRIBER, onLoop ? loopScratch : null, onLoop ? loopLinks : null)) {
            return false;
        }
        synchronized (this) {
            pending.remove(r);
        }
        return true;
    }

    /**
     * Answers once: claims the request, counts the answer, writes the response with the group fd
     * held, closes the event's fd.
     *
     * @param by      who answers, for the counters: {@link #BY_SUBSCRIBER}, {@link #BY_DEADLINE}, {@link #AT_END}
     * @param scratch 8 bytes owned by the calling thread, or {@code null} to allocate them
     * @param links   links owned by the calling thread, or {@code null} to make some if the path must be named
     * @return whether this call answered
     * @throws UncheckedIOException if the kernel refused the response (the group is failed, so it ends)
     */
    private boolean respond(PermissionRequest r, int response, int by, Pointer scratch, ProcLinks links) {
        int g;
        try {
            g = groupFd.acquire();
        } catch (ClosedFdException e) {
            // Closed only after every request read from it was claimed: this one was answered.
            return false;
        }
        try {
            if (!r.claim(response)) {
                return false;
            }
            count(response, by);
            int rc;
            if (scratch != null) {
                rc = Fanotify.respond(g, r.eventFd(), response, scratch);
            } else {
                try (Memory own = new Memory(Fanotify.RESPONSE_SIZE)) {
                    rc = Fanotify.respond(g, r.eventFd(), response, own);
                }
            }
            // The process has its answer; the path is named now, through the fd, if nobody asked for it before.
            r.nameBeforeClose(links);
            Io.close(r.eventFd());
            if (rc < 0) {
                KernelException e = new KernelException("write(fanotify response)", -rc, "the kernel refused the answer to "
                        + r.kind() + " " + r.path() + " (pid " + r.pid() + "); the stream ends, and closing its group"
                        + " makes the kernel allow every access still waiting");
                fail(e);
                throw new UncheckedIOException(e);
            }
            return true;
        } finally {
            groupFd.release();
        }
    }

    private void count(int response, int by) {
        if (by == BY_DEADLINE) {
            source.countAllowedAtDeadline();
        } else if (by == AT_END) {
            source.countAllowedAtEnd();
        } else if (response == Fanotify.FAN_ALLOW) {
            source.countAllowed();
        } else {
            source.countDenied();
        }
    }

    /** Ends the stream with this error (on the loop, even without demand). Any thread. */
    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        context.readAgain();
    }

    private KernelException readFailure(int errno) {
        String what = "reading permission events of " + source.name();
        if (errno == Errno.EMFILE) {
            return new ResourceLimitException("read(fanotify)", errno, "RLIMIT_NOFILE", Limits.openFilesDescription(),
                    "the kernel gives each permission request an fd of this process and, finding none, denied the"
                            + " access itself; answer requests sooner, shorten the deadline, or raise the soft limit"
                            + " (ulimit -n, LimitNOFILE=)");
        }
        if (errno == Errno.ENFILE) {
            return new ResourceLimitException("read(fanotify)", errno, "fs.file-max", "see /proc/sys/fs/file-max",
                    "the whole system is out of file descriptors and the kernel denied the access it could not"
                            + " report; raise fs.file-max or find the process holding them");
        }
        return new KernelException("read(fanotify)", errno, what);
    }
}
