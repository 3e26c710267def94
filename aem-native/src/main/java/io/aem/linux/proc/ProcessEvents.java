package io.aem.linux.proc;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link ProcConnectorSource} receives: the kinds of process event, and the size of the
 * socket's receive buffer, which is how many events the kernel keeps while the subscriber has
 * no demand before it drops them and reports {@link ProcEvent.Lost}. Immutable.
 *
 * <p>The kinds become the kernel's own filter ({@code struct proc_input}, Linux 6.6): events of
 * other kinds are never queued for the socket, so they cost no buffer space and cannot cause a
 * loss. On older kernels every kind is received and the others are dropped in Java.
 */
public final class ProcessEvents {
    private static final Set<ProcEventKind> ALL = Collections.unmodifiableSet(EnumSet.allOf(ProcEventKind.class));

    private final Set<ProcEventKind> kinds;
    private final int receiveBufferBytes;

    private ProcessEvents(Set<ProcEventKind> kinds, int receiveBufferBytes) {
        this.kinds = kinds;
        this.receiveBufferBytes = receiveBufferBytes;
    }

    /** Every kind, with the kernel's default receive buffer ({@code net.core.rmem_default}). */
    public static ProcessEvents all() {
        return new ProcessEvents(ALL, 0);
    }

    /**
     * Only these kinds, with the kernel's default receive buffer.
     *
     * @param first a kind
     * @param more  more kinds
     * @return the options
     */
    public static ProcessEvents of(ProcEventKind first, ProcEventKind... more) {
        EnumSet<ProcEventKind> set = EnumSet.of(Objects.requireNonNull(first, "first"), more);
        return new ProcessEvents(Collections.unmodifiableSet(set), 0);
    }

    /**
     * The same kinds with a receive buffer of this size. The kernel doubles the value for its
     * bookkeeping and enforces a minimum (2304 bytes on 6.x, about 15 events). Up to
     * {@code net.core.rmem_max} it is set with {@code SO_RCVBUF}; above that with
     * {@code SO_RCVBUFFORCE}, which needs {@code CAP_NET_ADMIN} on the loop thread (without it
     * the subscription fails with {@link io.aem.linux.MissingPrivilegeException}).
     *
     * @param bytes the size in bytes, {@code > 0}
     * @return new options
     */
    public ProcessEvents receiveBuffer(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("receive buffer size must be positive, was " + bytes);
        }
        return new ProcessEvents(kinds, bytes);
    }

    /** The kinds asked for (unmodifiable). */
    public Set<ProcEventKind> kinds() {
        return kinds;
    }

    /** The receive buffer size asked for, or {@code 0} for the kernel's default. */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /** Whether every kind is asked for. */
    public boolean isAll() {
        return kinds.containsAll(ALL) || kinds.containsAll(EnumSet.complementOf(EnumSet.of(ProcEventKind.NONZERO_EXIT)));
    }

    /** The {@code PROC_EVENT_*} mask for {@code struct proc_input}. */
    int kernelMask() {
        int mask = 0;
        for (ProcEventKind k : kinds) {
            mask |= k.bit();
        }
        return mask;
    }

    /**
     * Whether the event is one asked for: the filter in Java, for kernels without the kernel
     * filter. {@link ProcEvent.Lost} and {@link ProcEvent.Unknown} always pass.
     */
    boolean accepts(ProcEvent event) {
        if (event instanceof ProcEvent.Exit e) {
            return kinds.contains(ProcEventKind.EXIT)
                    || (kinds.contains(ProcEventKind.NONZERO_EXIT) && !new ProcessExit.Exited(0).equals(e.status()));
        }
        ProcEventKind kind = kindOf(event);
        return kind == null || kinds.contains(kind);
    }

    private static ProcEventKind kindOf(ProcEvent event) {
        if (event instanceof ProcEvent.Fork) {
            return ProcEventKind.FORK;
        } else if (event instanceof ProcEvent.Exec) {
            return ProcEventKind.EXEC;
        } else if (event instanceof ProcEvent.Uid) {
            return ProcEventKind.UID;
        } else if (event instanceof ProcEvent.Gid) {
            return ProcEventKind.GID;
        } else if (event instanceof ProcEvent.Sid) {
            return ProcEventKind.SID;
        } else if (event instanceof ProcEvent.Ptrace) {
            return ProcEventKind.PTRACE;
        } else if (event instanceof ProcEvent.Comm) {
            return ProcEventKind.COMM;
        } else if (event instanceof ProcEvent.Coredump) {
            return ProcEventKind.COREDUMP;
        }
        return null;
    }

    @Override
    public String toString() {
        return (isAll() ? "all process events" : "process events " + kinds)
                + (receiveBufferBytes > 0 ? ", receive buffer " + receiveBufferBytes + " bytes" : "");
    }
}
