package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One process waiting for a decision: it is inside {@code open(2)}, {@code read(2)} or
 * {@code execve(2)} on a marked object and stays there until this request is answered.
 *
 * <p><b>Answering.</b> {@link #allow()} and {@link #deny()} may be called from any thread, at
 * any time, any number of times: the first answer wins and is the only one the kernel sees;
 * each call returns whether it was that first answer. A denied access fails in the other
 * process with {@code EPERM} ("Operation not permitted"). The answer is written by the calling
 * thread itself, one 8-byte {@code write(2)} to the group's fd, not handed to the event loop
 * (the loop thread might be the very thread waiting for a decision); then the event's fd is
 * closed. A request nobody answers within {@link #deadline()} is allowed by the deadline keeper
 * (see {@link PermissionSource}); one still waiting when its subscription ends is allowed then.
 * After either, {@code allow()} and {@code deny()} return {@code false}.
 *
 * <p><b>What it says.</b> The acting process and its executable ({@code readlink} of
 * {@code /proc/<pid>/exe}) and whether the object is a directory are read when the kernel's
 * event is read, by the thread that reads it (the event loop while its subscriber has demand,
 * otherwise the deadline keeper). The path is named through the event's fd ({@code readlink} of
 * {@code /proc/self/fd/N}, which does not open the file; a file deleted meanwhile ends in
 * {@code " (deleted)"}) when first asked for, or when answered (see {@link #path()}). Holding a
 * request costs the kernel event and one fd of this process until it is answered; the object
 * itself is plain memory, safe to keep and to pass between threads.
 */
public final class PermissionRequest {
    private static final VarHandle ANSWER;

    static {
        try {
            ANSWER = MethodHandles.lookup().findVarHandle(PermissionRequest.class, "answer", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PermissionGroup group;
    private final PermissionKind kind;
    /** Named on first ask, or by the answering thread before it closes the event fd; guarded by this object's monitor. */
    private Path path;
    private final boolean directory;
    private final int pid;
    private final Path executable;
    private final Instant arrival;
    private final Duration wait;
    private final long deadlineNanos;
    private final int eventFd;
    @SuppressWarnings("unused") // through ANSWER
    private volatile int answer;

    PermissionRequest(PermissionGroup group, PermissionKind kind, boolean directory, int pid, Path executable,
            Instant arrival, long arrivalNanos, Duration wait, int eventFd) {
        this.group = group;
        this.kind = kind;
        this.directory = directory;
        this.pid = pid;
        this.executable = executable;
        this.arrival = arrival;
        this.wait = wait;
        this.deadlineNanos = arrivalNanos + wait.toNanos();
        this.eventFd = eventFd;
    }

    /** What the process asks to do. */
    public PermissionKind kind() {
        return kind;
    }

    /**
     * The object the process is accessing, as the kernel names it now: an absolute path, with
     * {@code " (deleted)"} appended when the file was unlinked; an empty path in the unlikely case
     * the kernel could not name it.
     *
     * <p>Named through the event's fd ({@code readlink} of {@code /proc/self/fd/N}) when first
     * asked, by the asking thread; if nobody asked before the request was answered, by the
     * answering thread right after its answer reached the kernel and before it closes the fd.
     * Either way through the same open file, so the same object (a rename in between shows).
     * Not naming it before the answer takes a {@code readlink} off the waiting process's path.
     */
    public Path path() {
        synchronized (this) {
            if (path == null) {
                path = group.name(eventFd, null);
            }
            return path;
        }
    }

    /** Names the path if nobody did yet; called with the event fd still open, by the thread about to close it. */
    void nameBeforeClose(ProcLinks links) {
        synchronized (this) {
            if (path == null) {
                path = group.name(eventFd, links);
            }
        }
    }

    /** Whether the object is a directory (only asked when the watch includes directories). */
    public boolean isDirectory() {
        return directory;
    }

    /** The process (thread-group id, in this process's pid namespace) waiting for the answer; {@code 0} if it is outside that namespace. */
    public int pid() {
        return pid;
    }

    /**
     * The acting process's executable when the request was read ({@code /proc/<pid>/exe});
     * empty if the process had already gone, is a kernel thread, or may not be inspected.
     */
    public Optional<Path> executable() {
        return Optional.ofNullable(executable);
    }

    /** When the request was read from the kernel (wall clock). */
    public Instant arrival() {
        return arrival;
    }

    /** When the request will be allowed if nobody answers: {@link #arrival()} plus the watch's deadline. */
    public Instant deadline() {
        return arrival.plus(wait);
    }

    /** The time left before the deadline allows the request; zero once it has passed. Any thread. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /**
     * Lets the access go ahead. Any thread; never blocks on the event loop.
     *
     * @return {@code true} if this call answered; {@code false} if the request had already been
     *         answered (by an earlier call, the deadline, or the end of the subscription)
     * @throws java.io.UncheckedIOException if the kernel refused the answer (which ends the
     *                                      subscription, so the kernel allows every waiting access)
     */
    public boolean allow() {
        return group.answerBySubscriber(this, Fanotify.FAN_ALLOW);
    }

    /**
     * Refuses the access: the other process's call fails with {@code EPERM}. Any thread; never
     * blocks on the event loop.
     *
     * @return {@code true} if this call answered; {@code false} if the request had already been
     *         answered (by an earlier call, the deadline, or the end of the subscription), in
     *         which case the access was <em>allowed</em> or decided by that earlier call
     * @throws java.io.UncheckedIOException if the kernel refused the answer (which ends the
     *                                      subscription, so the kernel allows every waiting access)
     */
    public boolean deny() {
        return group.answerBySubscriber(this, Fanotify.FAN_DENY);
    }

    /** Whether an answer was given (by a subscriber, the deadline or the end of the subscription). Any thread. */
    public boolean isAnswered() {
        return (int) ANSWER.getVolatile(this) != 0;
    }

    /** Takes the right to answer: true for exactly one caller. */
    boolean claim(int response) {
        return ANSWER.compareAndSet(this, 0, response);
    }

    int eventFd() {
        return eventFd;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public String toString() {
        int a = (int) ANSWER.getVolatile(this);
        return "PermissionRequest[" + kind + " " + path() + (directory ? " (directory)" : "") + " by pid " + pid
                + (executable != null ? " (" + executable + ")" : "") + ", deadline " + deadline() + ", "
                + (a == 0 ? "waiting" : a == Fanotify.FAN_ALLOW ? "allowed" : "denied") + "]";
    }
}
