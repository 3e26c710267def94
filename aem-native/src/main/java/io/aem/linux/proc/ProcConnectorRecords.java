package io.aem.linux.proc;

import io.aem.linux.sys.Netlink;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes what {@code recv} returns on a process-connector socket: one or more netlink messages,
 * each aligned to 4 bytes, each a {@code nlmsghdr}, a {@code cn_msg} and a
 * {@code struct proc_event}, in native byte order. Pure Java, no system calls; stateless and
 * thread-safe.
 *
 * <p><b>What each message becomes</b> ({@link #next}):
 * <ul>
 *   <li>{@code NLMSG_DONE} (the type the connector uses) from {@code CN_IDX_PROC}/{@code CN_VAL_PROC}:
 *       the {@link ProcEvent} of its {@code what}; an unknown {@code what} gives
 *       {@link ProcEvent.Unknown}; {@code PROC_EVENT_NONE} (the acknowledgement the kernel
 *       multicasts after any listener's {@code LISTEN}/{@code IGNORE}) gives nothing.</li>
 *   <li>{@code NLMSG_OVERRUN}: {@link ProcEvent.Lost} (the source writes one for {@code ENOBUFS}).</li>
 *   <li>{@code NLMSG_NOOP}, {@code NLMSG_ERROR} (acknowledgements; the connector sends none to
 *       listeners), any other type, and connector messages of another index: nothing.</li>
 * </ul>
 *
 * <p><b>Malformed input</b> gives {@link MalformedProcEventException} and nothing else: a header
 * cut short, an {@code nlmsg_len} below the header or past the bytes read, a {@code cn_msg.len}
 * past its message, or an event shorter than its type's fields. Every read is bounds-checked
 * against the buffer's limit before it happens, and each call consumes at least one header or
 * throws, so a loop over a buffer ends.
 */
public final class ProcConnectorRecords {
    /** Bytes of {@code what}, {@code cpu} and {@code timestamp_ns} before the event data. */
    public static final int EVENT_HEADER = 16;
    /** Bytes a whole connector message with the largest event (comm or exit, 24 bytes) takes. */
    public static final int MAX_MESSAGE = Netlink.NLMSG_HDRLEN + Netlink.CN_MSG_SIZE + EVENT_HEADER + 24;

    static final int WHAT_NONE = 0;
    static final int WHAT_FORK = 0x1;
    static final int WHAT_EXEC = 0x2;
    static final int WHAT_UID = 0x4;
    static final int WHAT_GID = 0x40;
    static final int WHAT_SID = 0x80;
    static final int WHAT_PTRACE = 0x100;
    static final int WHAT_COMM = 0x200;
    static final int WHAT_COREDUMP = 0x40000000;
    static final int WHAT_EXIT = 0x80000000;
    static final int COMM_LENGTH = 16;

    private ProcConnectorRecords() {
    }

    /**
     * Decodes the netlink message at the buffer's position and moves the position past it
     * (aligned, but never past the limit).
     *
     * @param batch the bytes read, positioned at a message
     * @return the event, or {@code null} for a message that carries none
     * @throws MalformedProcEventException the message is malformed; the position is then unchanged
     */
    public static ProcEvent next(ByteBuffer batch) throws MalformedProcEventException {
        int start = batch.position();
        int available = batch.limit() - start;
        if (available < Netlink.NLMSG_HDRLEN) {
            throw malformed(start, "only " + available + " bytes left, a nlmsghdr needs " + Netlink.NLMSG_HDRLEN);
        }
        long len = Integer.toUnsignedLong(batch.getInt(start));
        int type = Short.toUnsignedInt(batch.getShort(start + 4));
        if (len < Netlink.NLMSG_HDRLEN) {
            throw malformed(start, "nlmsg_len " + len + " is shorter than the header");
        }
        if (len > available) {
            throw malformed(start, "nlmsg_len " + len + " runs past the " + available + " bytes read");
        }
        ProcEvent event;
        switch (type) {
            case Netlink.NLMSG_DONE:
                event = connector(batch, start, (int) len);
                break;
            case Netlink.NLMSG_OVERRUN:
                event = new ProcEvent.Lost(1);
                break;
            default:
                event = null;
                break;
        }
        batch.position((int) Math.min(batch.limit(), start + Netlink.align((int) len)));
        return event;
    }

    private static ProcEvent connector(ByteBuffer b, int start, int len) throws MalformedProcEventException {
        int cn = start + Netlink.NLMSG_HDRLEN;
        int room = len - Netlink.NLMSG_HDRLEN;
        if (room < Netlink.CN_MSG_SIZE) {
            throw malformed(start, "nlmsg_len " + len + " leaves " + room + " bytes for a " + Netlink.CN_MSG_SIZE
                    + "-byte cn_msg");
        }
        int idx = b.getInt(cn);
        int val = b.getInt(cn + 4);
        int dataLen = Short.toUnsignedInt(b.getShort(cn + 16));
        if (dataLen > room - Netlink.CN_MSG_SIZE) {
            throw malformed(start, "cn_msg.len " + dataLen + " runs past nlmsg_len " + len);
        }
        if (idx != Netlink.CN_IDX_PROC || val != Netlink.CN_VAL_PROC) {
            return null;
        }
        int ev = cn + Netlink.CN_MSG_SIZE;
        if (dataLen < EVENT_HEADER) {
            throw malformed(start, "cn_msg.len " + dataLen + " is shorter than a proc_event header (" + EVENT_HEADER + ")");
        }
        int what = b.getInt(ev);
        int cpu = b.getInt(ev + 4);
        long ts = b.getLong(ev + 8);
        int d = ev + EVENT_HEADER;
        int have = dataLen - EVENT_HEADER;
        switch (what) {
            case WHAT_NONE:
                return null;
            case WHAT_FORK:
                need(start, "fork", have, 16);
                return new ProcEvent.Fork(cpu, ts, b.getInt(d), b.getInt(d + 4), b.getInt(d + 8), b.getInt(d + 12));
            case WHAT_EXEC:
                need(start, "exec", have, 8);
                return new ProcEvent.Exec(cpu, ts, b.getInt(d), b.getInt(d + 4));
            case WHAT_UID:
                need(start, "uid", have, 16);
                return new ProcEvent.Uid(cpu, ts, b.getInt(d), b.getInt(d + 4),
                        Integer.toUnsignedLong(b.getInt(d + 8)), Integer.toUnsignedLong(b.getInt(d + 12)));
            case WHAT_GID:
                need(start, "gid", have, 16);
                return new ProcEvent.Gid(cpu, ts, b.getInt(d), b.getInt(d + 4),
                        Integer.toUnsignedLong(b.getInt(d + 8)), Integer.toUnsignedLong(b.getInt(d + 12)));
            case WHAT_SID:
                need(start, "sid", have, 8);
                return new ProcEvent.Sid(cpu, ts, b.getInt(d), b.getInt(d + 4));
            case WHAT_PTRACE:
                need(start, "ptrace", have, 16);
                return new ProcEvent.Ptrace(cpu, ts, b.getInt(d), b.getInt(d + 4), b.getInt(d + 8), b.getInt(d + 12));
            case WHAT_COMM:
                need(start, "comm", have, 8 + COMM_LENGTH);
                return new ProcEvent.Comm(cpu, ts, b.getInt(d), b.getInt(d + 4), comm(b, d + 8));
            case WHAT_COREDUMP:
                need(start, "coredump", have, 16);
                return new ProcEvent.Coredump(cpu, ts, b.getInt(d), b.getInt(d + 4), b.getInt(d + 8), b.getInt(d + 12));
            case WHAT_EXIT:
                need(start, "exit", have, 24);
                return new ProcEvent.Exit(cpu, ts, b.getInt(d), b.getInt(d + 4), waitStatus(b.getInt(d + 8)),
                        b.getInt(d + 12), b.getInt(d + 16), b.getInt(d + 20));
            default:
                return new ProcEvent.Unknown(cpu, ts, what);
        }
    }

    /**
     * Decodes the kernel's {@code task->exit_code}, a wait status: low 7 bits 0 means a normal
     * exit with the code in bits 8..15; otherwise the low 7 bits are the signal and bit 7 says a
     * core was dumped.
     *
     * @param exitCode the wait status
     * @return {@link ProcessExit.Exited}, {@link ProcessExit.Killed} or {@link ProcessExit.Dumped}
     */
    public static ProcessExit.Status waitStatus(int exitCode) {
        int signal = exitCode & 0x7f;
        if (signal == 0) {
            return new ProcessExit.Exited((exitCode >> 8) & 0xff);
        }
        return (exitCode & 0x80) != 0 ? new ProcessExit.Dumped(signal) : new ProcessExit.Killed(signal);
    }

    private static String comm(ByteBuffer b, int at) {
        byte[] name = new byte[COMM_LENGTH];
        int n = 0;
        while (n < COMM_LENGTH && b.get(at + n) != 0) {
            name[n] = b.get(at + n);
            n++;
        }
        return new String(name, 0, n, StandardCharsets.UTF_8);
    }

    private static void need(int start, String kind, int have, int needed) throws MalformedProcEventException {
        if (have < needed) {
            throw malformed(start, kind + " event has " + have + " bytes of data, needs " + needed);
        }
    }

    private static MalformedProcEventException malformed(int offset, String what) {
        return new MalformedProcEventException("process connector message at offset " + offset + ": " + what);
    }
}
