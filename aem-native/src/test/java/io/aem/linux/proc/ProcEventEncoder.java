package io.aem.linux.proc;

import io.aem.linux.sys.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes process events as the kernel sends them, for the decoder's tests. Tests only. */
final class ProcEventEncoder {
    private ProcEventEncoder() {
    }

    /** The messages, one after the other, each aligned to 4 bytes, in a buffer of exactly that size. */
    static ByteBuffer encode(List<ProcEvent> events) {
        int size = 0;
        for (ProcEvent e : events) {
            size += Netlink.align(length(e));
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        for (ProcEvent e : events) {
            int start = b.position();
            write(b, e);
            b.position(start + Netlink.align(length(e)));
        }
        return b.flip();
    }

    /** The length of one message ({@code nlmsg_len}). */
    static int length(ProcEvent e) {
        if (e instanceof ProcEvent.Lost) {
            return Netlink.NLMSG_HDRLEN;
        }
        return Netlink.NLMSG_HDRLEN + Netlink.CN_MSG_SIZE + ProcConnectorRecords.EVENT_HEADER + dataLength(e);
    }

    private static int dataLength(ProcEvent e) {
        if (e instanceof ProcEvent.Exec || e instanceof ProcEvent.Sid) {
            return 8;
        }
        if (e instanceof ProcEvent.Comm || e instanceof ProcEvent.Exit) {
            return 24;
        }
        if (e instanceof ProcEvent.Unknown) {
            return 4;
        }
        return 16;
    }

    private static void write(ByteBuffer b, ProcEvent e) {
        int len = length(e);
        b.putInt(len);
        b.putShort((short) (e instanceof ProcEvent.Lost ? Netlink.NLMSG_OVERRUN : Netlink.NLMSG_DONE));
        b.putShort((short) 0).putInt(7).putInt(0);
        if (e instanceof ProcEvent.Lost) {
            return;
        }
        b.putInt(Netlink.CN_IDX_PROC).putInt(Netlink.CN_VAL_PROC).putInt(3).putInt(0);
        b.putShort((short) (ProcConnectorRecords.EVENT_HEADER + dataLength(e))).putShort((short) 0);
        if (e instanceof ProcEvent.Fork f) {
            header(b, ProcConnectorRecords.WHAT_FORK, f.cpu(), f.timestampNanos());
            b.putInt(f.parentPid()).putInt(f.parentTgid()).putInt(f.childPid()).putInt(f.childTgid());
        } else if (e instanceof ProcEvent.Exec x) {
            header(b, ProcConnectorRecords.WHAT_EXEC, x.cpu(), x.timestampNanos());
            b.putInt(x.pid()).putInt(x.tgid());
        } else if (e instanceof ProcEvent.Uid u) {
            header(b, ProcConnectorRecords.WHAT_UID, u.cpu(), u.timestampNanos());
            b.putInt(u.pid()).putInt(u.tgid()).putInt((int) u.ruid()).putInt((int) u.euid());
        } else if (e instanceof ProcEvent.Gid g) {
            header(b, ProcConnectorRecords.WHAT_GID, g.cpu(), g.timestampNanos());
            b.putInt(g.pid()).putInt(g.tgid()).putInt((int) g.rgid()).putInt((int) g.egid());
        } else if (e instanceof ProcEvent.Sid s) {
            header(b, ProcConnectorRecords.WHAT_SID, s.cpu(), s.timestampNanos());
            b.putInt(s.pid()).putInt(s.tgid());
        } else if (e instanceof ProcEvent.Ptrace p) {
            header(b, ProcConnectorRecords.WHAT_PTRACE, p.cpu(), p.timestampNanos());
            b.putInt(p.pid()).putInt(p.tgid()).putInt(p.tracerPid()).putInt(p.tracerTgid());
        } else if (e instanceof ProcEvent.Comm c) {
            header(b, ProcConnectorRecords.WHAT_COMM, c.cpu(), c.timestampNanos());
            b.putInt(c.pid()).putInt(c.tgid());
            byte[] name = c.comm().getBytes(StandardCharsets.UTF_8);
            byte[] field = new byte[ProcConnectorRecords.COMM_LENGTH];
            System.arraycopy(name, 0, field, 0, Math.min(name.length, field.length - 1));
            b.put(field);
        } else if (e instanceof ProcEvent.Coredump c) {
            header(b, ProcConnectorRecords.WHAT_COREDUMP, c.cpu(), c.timestampNanos());
            b.putInt(c.pid()).putInt(c.tgid()).putInt(c.parentPid()).putInt(c.parentTgid());
        } else if (e instanceof ProcEvent.Exit x) {
            header(b, ProcConnectorRecords.WHAT_EXIT, x.cpu(), x.timestampNanos());
            b.putInt(x.pid()).putInt(x.tgid()).putInt(exitCode(x.status())).putInt(x.exitSignal())
                    .putInt(x.parentPid()).putInt(x.parentTgid());
        } else if (e instanceof ProcEvent.Unknown u) {
            header(b, u.what(), u.cpu(), u.timestampNanos());
            b.putInt(0);
        }
    }

    private static void header(ByteBuffer b, int what, int cpu, long ts) {
        b.putInt(what).putInt(cpu).putLong(ts);
    }

    /** The kernel's {@code exit_code} (a wait status) for a status. */
    static int exitCode(ProcessExit.Status status) {
        if (status instanceof ProcessExit.Exited e) {
            return e.code() << 8;
        }
        if (status instanceof ProcessExit.Killed k) {
            return k.signal();
        }
        if (status instanceof ProcessExit.Dumped d) {
            return d.signal() | 0x80;
        }
        throw new IllegalArgumentException("no wait status for " + status);
    }
}
