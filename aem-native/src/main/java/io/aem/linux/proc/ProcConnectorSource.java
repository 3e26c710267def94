package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Netlink;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The process events of the whole system from the kernel's proc connector (a
 * {@code NETLINK_CONNECTOR} socket in the {@code CN_IDX_PROC} group): forks, execs, exits with
 * their status, uid/gid/session changes, ptrace, name changes and core dumps, as
 * {@link ProcEvent}s.
 *
 * <p><b>Demand.</b> The socket is read only while the subscriber has demand; without it the
 * kernel queues events in the socket's receive buffer ({@link ProcessEvents#receiveBuffer}).
 * When that fills the kernel drops events and the next {@code recv} answers {@code ENOBUFS}
 * once: the stream then emits one {@link ProcEvent.Lost}, counts one loss in
 * {@code StreamStats.lost()}, and goes on with the events queued after it. Kinds not asked for
 * are filtered by the kernel (Linux 6.6), so they never take buffer space.
 *
 * <p><b>Threading and cost.</b> Everything runs on the loop thread: one {@code recv} per event
 * (the kernel sends each event as its own datagram) and no allocation besides the event. The
 * connector reports pids of the initial pid namespace and only to sockets of the initial
 * network namespace; the kernel ignores a {@code LISTEN} from another user or pid namespace.
 *
 * <p><b>Privilege.</b> Since Linux 6.6 any user may join the process-event group; earlier kernels
 * need {@code CAP_NET_ADMIN} (checked on the loop thread) and the stream then fails with
 * {@link io.aem.linux.MissingPrivilegeException}. A receive buffer above
 * {@code net.core.rmem_max} needs {@code CAP_NET_ADMIN} on every kernel.
 *
 * <p><b>Errors</b>, as {@code onError}: {@link io.aem.linux.UnsupportedKernelFeatureException}
 * without the connector or outside the initial network namespace,
 * {@link io.aem.linux.MissingPrivilegeException} as above, {@link MalformedProcEventException}
 * for bytes that are not connector messages, {@link io.aem.linux.ResourceLimitException} at
 * the fd limit.
 *
 * <p><b>Close.</b> On cancel, error, completion or loop shutdown the socket is told
 * {@code PROC_CN_MCAST_IGNORE} (best effort, so that the kernel stops counting this listener)
 * and closed exactly once.
 *
 * <p>One instance serves one subscription at a time (it holds that subscription's control fd);
 * make one per subscriber, as {@code Aem.processEvents} does.
 */
public final class ProcConnectorSource implements EventSource<ProcEvent> {
    private static final int BATCH = 1024;

    private final ProcessEvents options;
    /** The socket itself, kept to send {@code IGNORE} after the framework closed its duplicate. Loop thread. */
    private OwnedFd control;

    /** A source of every process event with the kernel's default receive buffer. */
    public ProcConnectorSource() {
        this(ProcessEvents.all());
    }

    /**
     * A source of the kinds and buffer size asked for.
     *
     * @param options what to receive
     */
    public ProcConnectorSource(ProcessEvents options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The options. */
    public ProcessEvents options() {
        return options;
    }

    @Override
    public String name() {
        return "proc connector (" + options + ")";
    }

    /**
     * Opens the socket on the loop thread and starts listening; hands the framework a duplicate
     * of it, closed by the framework, and keeps the original to say {@code IGNORE} at the end.
     */
    @Override
    public OwnedFd open(SourceContext context) throws KernelException {
        if (control != null) {
            throw new IllegalStateException(name() + " already serves a subscription; make one source per subscriber");
        }
        OwnedFd socket = ProcConnectorSocket.open(options);
        int dup = Io.dupCloexec(socket.get());
        if (dup < 0) {
            ProcConnectorSocket.ignore(socket);
            socket.close();
            throw Errno.exception("fcntl(F_DUPFD_CLOEXEC)", -dup, null);
        }
        control = socket;
        return new OwnedFd(dup, "proc connector socket");
    }

    @Override
    public int batchSize() {
        return BATCH;
    }

    /**
     * One {@code recv}. {@code ENOBUFS} (the kernel dropped events) is turned into an
     * {@code NLMSG_OVERRUN} header in the batch, which decodes as {@link ProcEvent.Lost}.
     */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Netlink.recv(fd.get(), buffer.address(), buffer.capacity());
            if (n > 0) {
                return (int) n;
            }
            if (n == 0 || n == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (n == -Errno.ENOBUFS) {
                buffer.address().setInt(0, Netlink.NLMSG_HDRLEN);
                buffer.address().setShort(4, (short) Netlink.NLMSG_OVERRUN);
                buffer.address().setShort(6, (short) 0);
                buffer.address().setLong(8, 0);
                return Netlink.NLMSG_HDRLEN;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("recv(proc connector)", (int) -n, null);
            }
        }
    }

    @Override
    public ProcEvent decode(ByteBuffer batch, SourceContext context) throws MalformedProcEventException {
        ProcEvent event = ProcConnectorRecords.next(batch);
        if (event instanceof ProcEvent.Lost lost) {
            context.reportLoss(lost.count());
            return event;
        }
        return event != null && options.accepts(event) ? event : null;
    }

    /** Says {@code IGNORE} on the original socket and closes it. */
    @Override
    public void closed() {
        OwnedFd socket = control;
        control = null;
        if (socket != null) {
            ProcConnectorSocket.ignore(socket);
            socket.close();
        }
    }
}
