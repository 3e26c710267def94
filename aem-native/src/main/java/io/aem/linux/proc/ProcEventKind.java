package io.aem.linux.proc;

/**
 * The kinds of process event the connector can send, with the kernel's {@code PROC_EVENT_*} bit
 * of each: the set asked for in {@link ProcessEvents} becomes the kernel-side filter.
 */
public enum ProcEventKind {
    /** {@link ProcEvent.Fork}. */
    FORK(0x1),
    /** {@link ProcEvent.Exec}. */
    EXEC(0x2),
    /** {@link ProcEvent.Uid}. */
    UID(0x4),
    /** {@link ProcEvent.Gid}. */
    GID(0x40),
    /** {@link ProcEvent.Sid}. */
    SID(0x80),
    /** {@link ProcEvent.Ptrace}. */
    PTRACE(0x100),
    /** {@link ProcEvent.Comm}. */
    COMM(0x200),
    /**
     * Not an event of its own: {@code PROC_EVENT_NONZERO_EXIT} (Linux 6.6) asks for only those
     * {@link ProcEvent.Exit} events whose {@code exit_code} is not 0 (a failed exit or a signal).
     * Asking for {@link #EXIT} as well gives every exit.
     */
    NONZERO_EXIT(0x20000000),
    /** {@link ProcEvent.Coredump}. */
    COREDUMP(0x40000000),
    /** {@link ProcEvent.Exit}. */
    EXIT(0x80000000);

    private final int bit;

    ProcEventKind(int bit) {
        this.bit = bit;
    }

    /** The kernel's {@code PROC_EVENT_*} bit. */
    public int bit() {
        return bit;
    }
}
