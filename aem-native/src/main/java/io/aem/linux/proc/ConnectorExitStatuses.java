package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.ReadyHandler;
import io.aem.linux.loop.Registration;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Netlink;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exit statuses of watched processes that are not children of this JVM, from one
 * process-connector socket per event loop (exit events only, filtered in the kernel from Linux
 * 6.6). Opened by the first non-child watch on a loop, closed with the last, or when the loop
 * closes. Everything but {@link #of(Thread)} runs on the loop thread.
 *
 * <p>The socket is read whenever it is readable, without waiting for demand: it must not
 * overflow, or a watched exit could be dropped (then that watch reports
 * {@link ProcessExit.UnknownStatus}, never a made-up code). Only the first exit of a
 * thread-group leader ({@code pid == tgid}) of a watched pid is kept, in a small map that loses
 * an entry when the last watch of its pid ends (after the exit was delivered, or on cancel). The kernel queues the exit message
 * in {@code do_exit} ({@code proc_exit_connector}) before {@code exit_notify} wakes the pidfd's
 * pollers, so draining the socket when the pidfd turns readable finds it.
 */
final class ConnectorExitStatuses implements ReadyHandler {
    private static final System.Logger LOG = System.getLogger(ConnectorExitStatuses.class.getName());
    private static final Map<Thread, ConnectorExitStatuses> BY_LOOP_THREAD = new ConcurrentHashMap<>();
    private static final ProcessEvents EXITS = ProcessEvents.of(ProcEventKind.EXIT);

    /** Datagrams read per readiness call, so that a burst of exits system-wide cannot hold the loop. */
    private static final int DATAGRAMS_PER_TURN = 256;

    private final Thread thread;
    private final OwnedFd socket;
    private final Registration registration;
    private final ReadBuffer buffer = new ReadBuffer(1024);
    private final Map<Integer, Integer> watches = new HashMap<>();
    private final Map<Integer, ProcessExit.Status> statuses = new HashMap<>();
    private long overflows;
    private boolean closed;

    private ConnectorExitStatuses(EventLoop loop) throws KernelException {
        this.thread = Thread.currentThread();
        this.socket = ProcConnectorSocket.open(EXITS);
        try {
            this.registration = loop.register(socket, Epoll.EPOLLIN, this);
        } catch (KernelException | RuntimeException e) {
            ProcConnectorSocket.ignore(socket);
            socket.close();
            buffer.close();
            throw e;
        }
    }

    /**
     * Starts recording the exit of {@code pid}, opening the loop's socket if none is open. Loop thread.
     *
     * @return the recorder, or {@code null} when the connector is not available on this loop
     *         thread (the kernel refused it; the reason is logged at debug level)
     */
    static ConnectorExitStatuses watch(EventLoop loop, int pid) {
        ConnectorExitStatuses statuses = BY_LOOP_THREAD.get(Thread.currentThread());
        if (statuses == null) {
            try {
                statuses = new ConnectorExitStatuses(loop);
            } catch (KernelException | EventLoopClosedException e) {
                LOG.log(Level.DEBUG, "no process connector on loop " + loop.name() + ": exit status of non-children unknown", e);
                return null;
            }
            BY_LOOP_THREAD.put(Thread.currentThread(), statuses);
        }
        statuses.watches.merge(pid, 1, Integer::sum);
        return statuses;
    }

    /** The recorder of the calling loop thread, or {@code null}. */
    static ConnectorExitStatuses of(Thread loopThread) {
        return BY_LOOP_THREAD.get(loopThread);
    }

    /**
     * Whether a process-connector socket can be opened on the calling thread now: one is open,
     * or a trial socket opens (and is closed at once). Loop thread.
     */
    static boolean availableHere() {
        if (BY_LOOP_THREAD.containsKey(Thread.currentThread())) {
            return true;
        }
        try {
            OwnedFd trial = ProcConnectorSocket.open(EXITS);
            ProcConnectorSocket.ignore(trial);
            trial.close();
            return true;
        } catch (KernelException e) {
            return false;
        }
    }

    /** Ends one watch of {@code pid}; the last watch on the loop closes the socket. Loop thread. */
    void unwatch(int pid) {
        Integer left = watches.computeIfPresent(pid, (k, n) -> n > 1 ? n - 1 : null);
        if (left == null) {
            statuses.remove(pid);
        }
        if (watches.isEmpty()) {
            close();
        }
    }

    /**
     * Reads what the socket holds, then answers the recorded exit status of {@code pid}. The
     * entry stays for the other watches of the same pid and goes with the last
     * {@link #unwatch}.
     *
     * @return the status, or {@code null} when no exit of it was seen (it exited before the
     *         watch began, or the socket overflowed)
     */
    ProcessExit.Status statusOf(int pid) {
        drain();
        return statuses.get(pid);
    }

    /** Times the socket overflowed ({@code ENOBUFS}) since it was opened. */
    long overflows() {
        return overflows;
    }

    /** Reads up to {@value #DATAGRAMS_PER_TURN} datagrams; the level-triggered loop calls again for the rest. */
    @Override
    public void onReady(int readyEvents) {
        drain(DATAGRAMS_PER_TURN);
    }

    @Override
    public void onLoopClosed(EventLoopClosedException cause) {
        close();
    }

    /** Reads until the socket is empty: the exit asked for was queued before the pidfd woke. */
    private void drain() {
        drain(Integer.MAX_VALUE);
    }

    private void drain(int maxDatagrams) {
        if (closed) {
            return;
        }
        ByteBuffer batch = buffer.buffer();
        for (int read = 0; read < maxDatagrams; read++) {
            long n = Netlink.recv(socket.get(), buffer.address(), buffer.capacity());
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n == -Errno.ENOBUFS) {
                overflows++;
                continue;
            }
            if (n <= 0) {
                if (n < 0 && n != -Errno.EAGAIN) {
                    LOG.log(Level.WARNING, "recv on the process connector failed: " + Errno.describe((int) -n));
                }
                return;
            }
            batch.clear();
            batch.limit((int) n);
            try {
                while (batch.hasRemaining()) {
                    ProcEvent event = ProcConnectorRecords.next(batch);
                    if (event instanceof ProcEvent.Exit exit && exit.pid() == exit.tgid()
                            && watches.containsKey(exit.pid())) {
                        statuses.putIfAbsent(exit.pid(), exit.status());
                    }
                }
            } catch (MalformedProcEventException e) {
                LOG.log(Level.WARNING, "skipped a malformed process connector datagram", e);
            }
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        BY_LOOP_THREAD.remove(thread, this);
        registration.cancel();
        ProcConnectorSocket.ignore(socket);
        socket.close();
        buffer.close();
        watches.clear();
        statuses.clear();
    }
}
