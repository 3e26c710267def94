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
 * One subscription's fanotify group and the requests read from it: the state shared by the
 * deadline keeper (which reads the group and answers at deadlines), the event loop (which
 * delivers under demand and ends the group) and any thread that answers.
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

    private final long id = IDS.incrementAndGet();
    private final PermissionSource source;
    private final OwnedFd groupFd;
    private final OwnedFd doorbell;
    private final SourceContext context;
    private final Duration wait;
    private final boolean directories;

    private final ArrayDeque<PermissionRequest> pending = new ArrayDeque<>();
    private final ArrayDeque<PermissionRequest> undelivered = new ArrayDeque<>();
    private boolean closed;
    private long overflowsToReport;

    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Throwable failure;
    private volatile PermissionKeeper keeper;

    PermissionGroup(PermissionSource source, OwnedFd groupFd, OwnedFd doorbell, SourceContext context, Duration wait,
            boolean directories) {
        this.source = source;
        this.directories = directories;
        this.groupFd = groupFd;
        this.doorbell = doorbell;
        this.context = context;
        this.wait = wait;
    }

    long id() {
        return id;
    }

    OwnedFd groupFd() {
        return groupFd;
    }

    OwnedFd doorbell() {
        return doorbell;
    }

    SourceContext context() {
        return context;
    }

    void attachedTo(PermissionKeeper k) {
        keeper = k;
    }

    // ---- deadline keeper thread ----

    /**
     * Reads what the kernel queued, turns each event into a request and hands it to the loop.
     * Keeper thread only (its buffer, links and scratch memory).
     */
    void readFromKernel(ReadBuffer buffer, ProcLinks links, Pointer scratch, Pointer one) {
        int g;
        try {
            g = groupFd.acquire();
        } catch (ClosedFdException e) {
            return;
        }
        try {
            ByteBuffer batch = buffer.buffer();
            for (int reads = 0; reads < MAX_READS_PER_TURN; reads++) {
                long n = Io.read(g, buffer.address(), buffer.capacity());
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (n == -Errno.EAGAIN || n == 0) {
                    return;
                }
                if (n < 0) {
                    fail(readFailure((int) -n));
                    return;
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
                        return;
                    }
                    take(g, h, links, scratch, one);
                }
            }
        } finally {
            groupFd.release();
        }
    }

    private void take(int g, PermissionRecords.Header h, ProcLinks links, Pointer scratch, Pointer one) {
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
            return;
        }
        if (fd < 0) {
            return;
        }
        PermissionKind kind = PermissionKind.ofMask(mask);
        if (kind == null) {
            // Not a request this source knows how to present: it must not wait for anyone.
            Fanotify.respond(g, fd, Fanotify.FAN_ALLOW, scratch);
            Io.close(fd);
            return;
        }
        long arrivalNanos = System.nanoTime();
        String target = links.fd(fd);
        String exe = links.exe(h.pid());
        // fd-mode groups do not report FAN_ONDIR in the event mask: ask the fd.
        boolean directory = directories && links.isDirectory(fd);
        PermissionRequest r = new PermissionRequest(this, kind, path(target), directory, h.pid(),
                exe == null ? null : path(exe), Instant.now(), arrivalNanos, wait, fd);
        source.countReceived();
        boolean isClosed;
        synchronized (this) {
            isClosed = closed;
            if (!isClosed) {
                pending.addLast(r);
                undelivered.addLast(r);
            }
        }
        if (isClosed) {
            answerAtEnd(r, scratch);
        } else {
            ring(one);
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

    /** Rings the loop's doorbell: one 8-byte write to the eventfd, refused quietly once the subscription closed it. */
    private void ring(Pointer one) {
        if (!doorbell.isOpen()) {
            return;
        }
        int d;
        try {
            d = doorbell.acquire();
        } catch (ClosedFdException e) {
            return;
        }
        try {
            Io.write(d, one, 8);
        } finally {
            doorbell.release();
        }
    }

    /** Nanoseconds until the earliest deadline, {@code 0} if one has passed, {@code -1} if nothing waits. */
    synchronized long nanosToNextDeadline(long now) {
        PermissionRequest r = pending.peekFirst();
        return r == null ? -1 : Math.max(0, r.deadlineNanos() - now);
    }

    /** Allows every request whose deadline has passed. Keeper thread. */
    void expire(long now, Pointer scratch) {
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
            respond(r, Fanotify.FAN_ALLOW, BY_DEADLINE, scratch);
        }
    }

    // ---- event loop thread ----

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
            try (Memory scratch = new Memory(Fanotify.RESPONSE_SIZE)) {
                for (PermissionRequest r : all) {
                    answerAtEnd(r, scratch);
                }
            }
        }
        groupFd.close();
    }

    private void answerAtEnd(PermissionRequest r, Pointer scratch) {
        try {
            respond(r, Fanotify.FAN_ALLOW, AT_END, scratch);
        } catch (UncheckedIOException e) {
            // Claimed, and the group closes next: the kernel allows it then.
        }
    }

    // ---- any thread ----

    /** {@link PermissionRequest#allow()} and {@link PermissionRequest#deny()}. */
    boolean answerBySubscriber(PermissionRequest r, int response) {
        if (!respond(r, response, BY_SUBSCRIBER, null)) {
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
     * @return whether this call answered
     * @throws UncheckedIOException if the kernel refused the response (the group is failed, so it ends)
     */
    private boolean respond(PermissionRequest r, int response, int by, Pointer scratch) {
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
