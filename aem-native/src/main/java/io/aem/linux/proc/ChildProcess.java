package io.aem.linux.proc;

import com.sun.jna.Memory;
import io.aem.linux.ClosedFdException;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.LoopTimeout;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.LibC;
import io.aem.linux.sys.Pidfd;
import io.aem.linux.sys.Spawn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A child process started with {@code posix_spawn} and supervised on an {@link EventLoop}: no
 * thread per child, no shell.
 *
 * <p><b>Supervision.</b> Right after the spawn the child's pidfd is opened (safe: an unreaped
 * child's pid cannot be reused) and registered on the loop. When the kernel makes it readable
 * the loop reaps the child at once with {@code waitid(P_PIDFD, WEXITED | WNOHANG)}, whether or
 * not anybody subscribed to the exit, so a child never stays a zombie; it records the
 * {@link ProcessExit}, closes the pidfd, cancels the timeout and serves the exit subscribers.
 * Nothing else in this JVM must wait for the pid ({@code waitpid(-1)} would steal the status,
 * which then reads {@link ProcessExit.UnknownStatus}).
 *
 * <p><b>The child</b> gets fds 0, 1 and 2 as the spec's redirects say and no other fd of this
 * JVM ({@code closefrom(3)}), an empty signal mask and default dispositions for every signal,
 * the spec's environment and working directory, and, with
 * {@linkplain ProcessSpec#withProcessGroup a process group}, its own group.
 *
 * <p><b>Exit.</b> {@link #exit()} serves any number of subscribers: each gets the one
 * {@link ProcessExit} and {@code onComplete}, on the loop thread, once it has requested; a
 * subscriber arriving after the exit gets it at once on request. When the last live exit
 * subscription is cancelled before the exit, the spec's {@link CancelPolicy} applies.
 *
 * <p><b>Output pipes</b> ({@link Redirect#PIPE}) serve one subscriber each and are read only
 * under its demand: without demand the pipe fills (64 KiB) and the child blocks in
 * {@code write}. A pipe nobody has subscribed to when the child is reaped is drained then: what
 * it holds (at most its capacity, 64 KiB by default; the child has exited, so that is all it
 * wrote unless it passed the pipe to a process that outlives it) is kept on the heap and the fd
 * closed, and a subscriber arriving later gets those bytes as one chunk, then completion (like
 * the JDK's {@code Process} streams after the exit). The stdin pipe is written by
 * {@link #feedStdin} or closed by {@link #closeStdin()}; if neither happened by the exit it is
 * closed then. So no fd of a child outlives its reap, whether or not anyone subscribed, and every
 * fd is closed exactly once on every path.
 *
 * <p><b>Timeout and signals.</b> With {@link ProcessSpec#withTimeout} the loop's timer sends
 * {@code SIGTERM} at the deadline and {@code SIGKILL} after the kill grace, and
 * {@link #timedOut()} tells it happened. Signals go through the pidfd, so they never reach a
 * later process that reused the pid.
 *
 * <p><b>Loop close.</b> Nobody would reap a child after its loop has closed, so closing the
 * loop kills every child still running ({@code SIGKILL}, to its group with a process group,
 * whatever the cancel policy) and reaps it, waiting at most 2 s per child for the kill to take
 * effect; live exit subscribers and the outputs still being read end with
 * {@link EventLoopClosedException}; unread pipes are closed. {@link #exitNow()} then tells how
 * the child ended.
 *
 * <p>Thread-safe: every method may be called from any thread. Costs per child: one pidfd, one
 * epoll registration, the pipes asked for, and a few hundred bytes of Java objects.
 */
public final class ChildProcess {
    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final long CLOSE_REAP_WAIT_MILLIS = 2000;

    private final EventLoop loop;
    private final ProcessSpec spec;
    private final int pid;
    private final OwnedFd pidfd;
    private final long startNanos;
    private final ChildOutput stdout;
    private final ChildOutput stderr;
    private final AtomicReference<OwnedFd> stdin;
    /** Held while reaping and while signalling the process group, so a group signal never follows the reap. */
    private final Object reapLock = new Object();
    private final AtomicBoolean terminating = new AtomicBoolean();
    private volatile ProcessExit exit;
    private volatile boolean timedOut;
    private volatile EventLoopClosedException closedBy;
    private volatile LoopTimeout graceKill;
    // Loop thread only:
    private Registration registration;
    private LoopTimeout timeout;
    private final List<ExitSubscription> subscriptions = new ArrayList<>();

    private ChildProcess(EventLoop loop, ProcessSpec spec, SpawnedChild spawned, OwnedFd pidfd, long startNanos) {
        this.loop = loop;
        this.spec = spec;
        this.pid = spawned.pid();
        this.pidfd = pidfd;
        this.startNanos = startNanos;
        this.stdout = spawned.stdout() != null ? new ChildOutput(loop, spawned.stdout(), "stdout of pid " + pid) : null;
        this.stderr = spawned.stderr() != null ? new ChildOutput(loop, spawned.stderr(), "stderr of pid " + pid) : null;
        this.stdin = spawned.stdin() != null ? new AtomicReference<>(spawned.stdin()) : null;
    }

    /**
     * Starts the child and puts it under the loop's supervision. The spawn runs on the calling
     * thread (vfork-based: about the cost of an {@code execve}, whatever the heap size). Called on
     * the loop thread, the child is registered before this returns; called on any other thread,
     * the registration is handed to the loop, and a child that exits before the loop took it is
     * reported as soon as the loop does (its exit waits in the pidfd). Starting on the loop (for
     * example {@code aem.exec(spec).subscribeOn(Schedulers.fromExecutor(loop))}) saves that
     * hand-over but holds the loop for the spawn.
     *
     * <p>The executable is resolved first, in Java: an {@code argv[0]} containing {@code '/'} is
     * used as given (relative to the spec's directory), any other is searched on the
     * {@code PATH} of the child's environment ({@code /bin:/usr/bin} when it has none).
     *
     * @param loop the loop that supervises the child and delivers its signals
     * @param spec what to start
     * @return the running child
     * @throws java.nio.file.NoSuchFileException   no such executable (the message names the {@code PATH}
     *                                             searched), no such working directory, no such stdin file
     * @throws java.nio.file.AccessDeniedException the executable is a directory or lacks execute permission
     *                                             ("chmod +x"), or a redirect file cannot be opened
     * @throws java.nio.file.NotDirectoryException the working directory is not a directory
     * @throws io.aem.linux.ResourceLimitException the fd limit ({@code RLIMIT_NOFILE}), or the process limit
     *                                             ({@code RLIMIT_NPROC}, {@code kernel.pid_max}) when
     *                                             {@code posix_spawn} answers {@code EAGAIN}
     * @throws io.aem.linux.UnsupportedKernelFeatureException a kernel without pidfds (before 5.3)
     * @throws EventLoopClosedException            the loop is closed (checked before and after the spawn;
     *                                             a child spawned meanwhile is killed and reaped)
     * @throws IOException                         any other kernel refusal, typed
     */
    public static ChildProcess start(EventLoop loop, ProcessSpec spec) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(spec, "spec");
        if (loop.isClosed()) {
            throw new EventLoopClosedException(loop.name(), "cannot start " + spec.argv().get(0));
        }
        long startNanos = System.nanoTime();
        SpawnedChild spawned = Spawner.spawn(spec);
        int fd = Pidfd.open(spawned.pid(), Pidfd.PIDFD_NONBLOCK);
        if (fd < 0) {
            killAndReapWithoutPidfd(spawned.pid());
            spawned.closePipes();
            throw Errno.exception("pidfd_open(" + spawned.pid() + ") of a new child", -fd, null);
        }
        ChildProcess child = new ChildProcess(loop, spec, spawned, new OwnedFd(fd, "pidfd of child " + spawned.pid()),
                startNanos);
        if (loop.inEventLoop()) {
            child.supervise(); // at once: an exit from now on wakes the loop
            return child;
        }
        try {
            loop.execute(child::supervise);
        } catch (EventLoopClosedException e) {
            child.killAndReapNow();
            child.releaseAll("closed because the event loop closed before the child was supervised");
            throw e;
        }
        return child;
    }

    /** The process id. */
    public long pid() {
        return pid;
    }

    /** The spec it was started from. */
    public ProcessSpec spec() {
        return spec;
    }

    /** The supervising loop. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * The exit, for any number of subscribers; see the class comment for demand, cancel policy
     * and loop close. Signals arrive on the loop thread. A subscriber arriving after the loop
     * closed gets the recorded exit on request, or {@link EventLoopClosedException} if none was
     * recorded.
     *
     * @return the publisher of the one exit
     */
    public Flow.Publisher<ProcessExit> exit() {
        return this::subscribeExit;
    }

    /** The exit if the child has been reaped, else empty. Any thread. */
    public Optional<ProcessExit> exitNow() {
        return Optional.ofNullable(exit);
    }

    /** Whether the spec's timeout passed with the child still running (and so it was terminated). */
    public boolean timedOut() {
        return timedOut;
    }

    /**
     * Sends a signal to the child through its pidfd (never to a later process with the same pid).
     *
     * @param signal the signal number, {@code 0} only checks that the child is unreaped
     * @return {@code true} if sent, {@code false} once the child has been reaped
     * @throws IllegalArgumentException no such signal number
     * @throws UncheckedIOException     any other refusal, wrapping the typed kernel error
     */
    public boolean signal(int signal) {
        if (signal < 0 || signal > 64) {
            throw new IllegalArgumentException("signal " + signal + " is not a signal number (1..64, or 0 to probe)");
        }
        int fd;
        try {
            fd = pidfd.acquire();
        } catch (ClosedFdException e) {
            return false;
        }
        try {
            int r = Pidfd.sendSignal(fd, signal);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.ESRCH) {
                return false;
            }
            if (r == -Errno.EINVAL) {
                throw new IllegalArgumentException("signal " + signal + " is not a signal number (1..64, or 0 to probe)");
            }
            throw new UncheckedIOException(Errno.exception("pidfd_send_signal(" + pid + ", " + signal + ")", -r, null));
        } finally {
            pidfd.release();
        }
    }

    /**
     * Terminates the child: {@code SIGTERM} now (to its group with a process group), and
     * {@code SIGKILL} after the spec's kill grace if it is still running. Does nothing once it
     * was reaped. Any thread; the kill is timed by the loop.
     */
    public void terminate() {
        if (exit != null) {
            return;
        }
        signalTree(SIGTERM);
        if (terminating.compareAndSet(false, true)) {
            Duration grace = spec.killGrace();
            if (grace.isZero()) {
                signalTree(SIGKILL);
                return;
            }
            try {
                graceKill = loop.schedule(this::killAfterGrace, grace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (EventLoopClosedException e) {
                // the loop's close kills the child
            }
        }
    }

    /** Sends {@code SIGKILL} (to its group with a process group); does nothing once reaped. Any thread. */
    public void kill() {
        signalTree(SIGKILL);
    }

    /**
     * The child's stdout as byte chunks, read from the pipe only under demand (see
     * {@link PipeSource}); completes at end of file, once the child and everything it passed the
     * pipe to have closed it. One subscriber; a second gets {@link IllegalStateException}. A
     * subscriber arriving after the reap gets what the pipe held then (see the class description).
     *
     * @return the chunks, on the loop thread
     * @throws IllegalStateException stdout is not {@link Redirect#PIPE} (the message names the redirect)
     */
    public Flow.Publisher<ByteBuffer> stdout() {
        if (stdout == null) {
            throw new IllegalStateException("stdout of pid " + pid + " goes to " + spec.stdout()
                    + ", not to a pipe; start it with withStdout(Redirect.PIPE) to read it");
        }
        return stdout;
    }

    /**
     * The child's stderr, like {@link #stdout()}.
     *
     * @return the chunks, on the loop thread
     * @throws IllegalStateException stderr is not {@link Redirect#PIPE} (the message names the redirect)
     */
    public Flow.Publisher<ByteBuffer> stderr() {
        if (stderr == null) {
            throw new IllegalStateException("stderr of pid " + pid + " goes to " + spec.stderr()
                    + ", not to a pipe; start it with withStderr(Redirect.PIPE) to read it");
        }
        return stderr;
    }

    /**
     * Writes a stream of byte buffers into the child's stdin pipe on the loop (see
     * {@link PipeSink}: bounded prefetch, waits for the pipe to drain, no thread); when the
     * stream completes the pipe is closed and the child reads end of file. A child that exits or
     * closes its stdin first ends the feed with {@link BrokenPipeException}.
     *
     * @param data the bytes, each buffer read from its position to its limit
     * @return the sink, whose {@link PipeSink#done()} tells the bytes written
     * @throws IllegalStateException stdin is not {@link Redirect#PIPE} (the message names the
     *                               redirect), or it was already fed or closed
     */
    public PipeSink feedStdin(Flow.Publisher<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        OwnedFd fd = takeStdin();
        if (fd == null) {
            throw new IllegalStateException("stdin of pid " + pid + " was already fed or closed; it can be fed once");
        }
        return PipeSink.feed(loop, fd, data, "stdin of pid " + pid);
    }

    /**
     * Closes the stdin pipe without writing: the child reads end of file. Any thread.
     *
     * @return {@code true} if this call closed it, {@code false} if it was already closed or is being fed
     * @throws IllegalStateException stdin is not {@link Redirect#PIPE}
     */
    public boolean closeStdin() {
        OwnedFd fd = takeStdin();
        if (fd == null) {
            return false;
        }
        fd.close();
        return true;
    }

    OwnedFd takeStdin() {
        if (stdin == null) {
            throw new IllegalStateException("stdin of pid " + pid + " comes from " + spec.stdin()
                    + ", not from a pipe; start it with withStdin(Redirect.PIPE) to write it");
        }
        return stdin.getAndSet(null);
    }

    // ---- loop side ----

    private void supervise() {
        try {
            registration = loop.register(pidfd, Epoll.EPOLLIN, new Supervisor());
        } catch (KernelException | EventLoopClosedException e) {
            LOG.log(Level.WARNING, "cannot supervise child " + pid + " on loop '" + loop.name() + "'; killing it", e);
            killAndReapNow();
            EventLoopClosedException closed = e instanceof EventLoopClosedException c ? c
                    : new EventLoopClosedException(loop.name(), "supervision of pid " + pid + " failed: " + e.getMessage());
            endAll(closed);
            return;
        }
        Optional<Duration> limit = spec.timeout();
        if (limit.isPresent()) {
            long remaining = limit.get().toNanos() - (System.nanoTime() - startNanos);
            timeout = loop.schedule(this::onTimeout, Math.max(0, remaining), TimeUnit.NANOSECONDS);
        }
    }

    private final class Supervisor implements ReadyHandler {
        @Override
        public void onReady(int readyEvents) {
            if (exit != null) {
                return; // already reaped (by a kill at loop close racing this readiness)
            }
            ProcessExit e = reap(false);
            if (e != null) {
                finished();
            }
        }

        @Override
        public void onLoopClosed(EventLoopClosedException cause) {
            killAndReapNow();
            endAll(cause);
        }
    }

    private void onTimeout() {
        if (exit == null) {
            timedOut = true;
            terminate();
        }
    }

    private void killAfterGrace() {
        if (exit == null) {
            signalTree(SIGKILL);
        }
    }

    private void signalTree(int signal) {
        if (spec.processGroup()) {
            synchronized (reapLock) {
                if (exit == null) {
                    int r = Spawn.killProcess(-pid, signal);
                    if (r < 0 && r != -Errno.ESRCH) {
                        LOG.log(Level.WARNING, "kill(-" + pid + ", " + signal + "): " + Errno.describe(-r));
                    }
                }
            }
        } else {
            signal(signal);
        }
    }

    /**
     * Reaps the child if it has exited ({@code WNOHANG}); records and returns the exit, or
     * {@code null} while it runs. With {@code wait}, first waits up to
     * {@link #CLOSE_REAP_WAIT_MILLIS} for the pidfd to become readable.
     */
    private ProcessExit reap(boolean wait) {
        synchronized (reapLock) {
            if (exit != null) {
                return exit;
            }
            int fd;
            try {
                fd = pidfd.acquire();
            } catch (ClosedFdException e) {
                return null;
            }
            try (Memory info = new Memory(Pidfd.SIGINFO_SIZE)) {
                if (wait) {
                    info.setInt(0, fd);
                    info.setShort(4, Pidfd.POLLIN);
                    info.setShort(6, (short) 0);
                    LibC.poll(info, 1, (int) CLOSE_REAP_WAIT_MILLIS);
                }
                int r;
                do {
                    r = Pidfd.waitid(Pidfd.P_PIDFD, fd, info, Pidfd.WEXITED | Pidfd.WNOHANG);
                } while (r == -Errno.EINTR);
                ProcessExit.Status status;
                if (r == 0) {
                    if (info.getInt(Pidfd.SI_PID) == 0) {
                        return null;
                    }
                    status = ProcessExitSource.status(info.getInt(Pidfd.SI_CODE), info.getInt(Pidfd.SI_STATUS));
                } else if (r == -Errno.EAGAIN) {
                    return null;
                } else {
                    int errno = -r;
                    LOG.log(Level.WARNING, () -> "waitid(P_PIDFD, " + pid + "): " + Errno.describe(errno)
                            + (errno == Errno.ECHILD ? "; something else in this JVM reaped the child" : ""));
                    status = new ProcessExit.UnknownStatus();
                }
                exit = new ProcessExit(pid, status, System.nanoTime(), Instant.now());
                return exit;
            } finally {
                pidfd.release();
            }
        }
    }

    /**
     * Loop thread, after the reap: serves the waiting subscribers, then ends the supervision: the
     * pidfd is deregistered and closed, output pipes nobody took are drained and closed (a later
     * subscriber gets what they held), an unfed stdin pipe is closed, the timers are cancelled.
     * Nothing of the child holds an fd after this.
     */
    private void finished() {
        // The waiting subscribers first: the exit is in their hands before the clean-up's system calls.
        ProcessExit e = exit;
        for (ExitSubscription s : List.copyOf(subscriptions)) {
            if (s.demanded) {
                subscriptions.remove(s);
                s.deliver(e);
            }
        }
        registration.cancel();
        pidfd.close();
        if (stdout != null) {
            stdout.drainUnclaimed();
        }
        if (stderr != null) {
            stderr.drainUnclaimed();
        }
        cancelTimers();
        if (stdin != null) {
            closeStdin();
        }
    }

    private void cancelTimers() {
        if (timeout != null) {
            timeout.cancel();
        }
        LoopTimeout g = graceKill;
        if (g != null) {
            g.cancel();
        }
    }

    private void releaseOutputs(String why) {
        if (stdout != null) {
            stdout.releaseUnread(why);
        }
        if (stderr != null) {
            stderr.releaseUnread(why);
        }
    }

    /** Kills the child if it still runs and reaps it, waiting a bounded time. Any thread. */
    private void killAndReapNow() {
        if (reap(false) == null) {
            signalTree(SIGKILL);
            if (reap(true) == null) {
                LOG.log(Level.WARNING, "child " + pid + " did not end within " + CLOSE_REAP_WAIT_MILLIS
                        + " ms of SIGKILL (uninterruptible sleep?); it stays a zombie until this JVM exits");
            }
        }
        cancelTimers();
    }

    private void releaseAll(String why) {
        pidfd.close();
        releaseOutputs(why);
        if (stdin != null) {
            closeStdin();
        }
    }

    /** Loop thread: the loop is closing (or supervision failed); ends every stream. */
    private void endAll(EventLoopClosedException cause) {
        closedBy = cause;
        if (registration != null) {
            registration.cancel();
        }
        releaseAll("closed with the event loop");
        for (ExitSubscription s : List.copyOf(subscriptions)) {
            s.fail(cause);
        }
        subscriptions.clear();
    }

    private static void killAndReapWithoutPidfd(int pid) {
        // Still our unreaped child: the pid cannot have been reused.
        Spawn.killProcess(pid, SIGKILL);
        try (Memory info = new Memory(Pidfd.SIGINFO_SIZE)) {
            int r;
            do {
                r = Pidfd.waitid(Pidfd.P_PID, pid, info, Pidfd.WEXITED);
            } while (r == -Errno.EINTR);
        }
    }

    // ---- exit subscriptions ----

    private void subscribeExit(Flow.Subscriber<? super ProcessExit> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        ExitSubscription s = new ExitSubscription(this, subscriber);
        try {
            loop.execute(() -> attach(s));
        } catch (EventLoopClosedException e) {
            // Requests are answered on the requesting thread from now on (see ExitSubscription.request).
            subscriber.onSubscribe(s);
        }
    }

    private void attach(ExitSubscription s) {
        EventLoopClosedException closed = closedBy;
        if (closed == null) {
            subscriptions.add(s);
        }
        try {
            s.subscriber().onSubscribe(s);
        } catch (Throwable t) {
            subscriptions.remove(s);
            LOG.log(Level.ERROR, "exit subscriber of pid " + pid + " threw in onSubscribe", t);
            return;
        }
        if (closed != null && exit == null) {
            s.fail(closed);
        }
    }

    void onRequest(ExitSubscription s, long n) {
        if (s.isDone()) {
            return;
        }
        if (n <= 0) {
            subscriptions.remove(s);
            s.fail(new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)"));
            return;
        }
        s.demanded = true;
        ProcessExit e = exit;
        if (e != null) {
            subscriptions.remove(s);
            s.deliver(e);
        }
    }

    void onCancel(ExitSubscription s) {
        if (!subscriptions.remove(s)) {
            return;
        }
        if (exit == null && closedBy == null && subscriptions.isEmpty()) {
            applyCancelPolicy();
        }
    }

    private void applyCancelPolicy() {
        switch (spec.cancelPolicy()) {
            case KILL:
                kill();
                break;
            case TERMINATE:
                terminate();
                break;
            case LEAVE_RUNNING:
            default:
                break;
        }
    }

    @Override
    public String toString() {
        ProcessExit e = exit;
        return "ChildProcess[pid " + pid + ", " + spec.argv().get(0) + (e != null ? ", " + e.status() : ", running") + "]";
    }
}
