package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The process-connector decoder against well-formed messages, every cut of them, and any bytes at all. */
class ProcConnectorRecordsPropertyTest {
    private static final Set<Integer> KNOWN_WHATS = Set.of(0, 0x1, 0x2, 0x4, 0x40, 0x80, 0x100, 0x200, 0x40000000, 0x80000000);

    private static List<ProcEvent> decodeAll(ByteBuffer batch) throws MalformedProcEventException {
        List<ProcEvent> out = new ArrayList<>();
        while (batch.hasRemaining()) {
            int before = batch.position();
            ProcEvent e = ProcConnectorRecords.next(batch);
            assertThat(batch.position()).isGreaterThanOrEqualTo(before + Netlink.NLMSG_HDRLEN).isLessThanOrEqualTo(batch.limit());
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** A slice whose capacity ends at its limit: a read past it throws IndexOutOfBoundsException and fails the property. */
    private static ByteBuffer exact(ByteBuffer b) {
        return b.slice().order(ByteOrder.nativeOrder());
    }

    @Property(tries = 1000)
    void everyEventTypeRoundTrips(@ForAll @Size(max = 20) List<@From("events") ProcEvent> events) throws Exception {
        assertThat(decodeAll(exact(ProcEventEncoder.encode(events)))).isEqualTo(events);
    }

    @Property(tries = 300)
    void everyTruncationOfAValidMessageIsAMalformedErrorNeverAGuess(@ForAll @Size(min = 1, max = 3) List<@From("events") ProcEvent> events) {
        ByteBuffer full = ProcEventEncoder.encode(events);
        int last = full.limit() - Netlink.align(ProcEventEncoder.length(events.get(events.size() - 1)));
        for (int cut = last + 1; cut < full.limit(); cut++) {
            if (cut - last >= ProcEventEncoder.length(events.get(events.size() - 1))) {
                break; // only alignment padding is cut: the message is whole
            }
            ByteBuffer truncated = exact(full.duplicate().limit(cut));
            assertThatThrownBy(() -> decodeAll(truncated))
                    .as("cut at %d of %d", cut, full.limit())
                    .isInstanceOf(MalformedProcEventException.class)
                    .hasMessageContaining("offset " + last);
        }
    }

    @Property(tries = 3000)
    void anyBytesDecodeOrFailWithTheDocumentedErrorOnly(@ForAll @Size(max = 300) byte[] bytes) {
        ByteBuffer batch = exact(ByteBuffer.wrap(bytes));
        try {
            List<ProcEvent> events = decodeAll(batch);
            assertThat(events.size()).isLessThanOrEqualTo(bytes.length / Netlink.NLMSG_HDRLEN);
        } catch (MalformedProcEventException e) {
            assertThat(e).hasMessageContaining("process connector message at offset");
        }
    }

    /** Bytes that look like connector messages, with arbitrary lengths and types, so the deeper checks are reached. */
    @Property(tries = 3000)
    void plausibleHeadersWithArbitraryLengthsNeverThrowAnythingElse(
            @ForAll @IntRange(min = 0, max = 400) int nlmsgLen, @ForAll @IntRange(min = 0, max = 5) int type,
            @ForAll @IntRange(min = 0, max = 0xffff) int cnLen, @ForAll("whats") int what,
            @ForAll @IntRange(min = 16, max = 300) int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.putInt(0, nlmsgLen).putShort(4, (short) type);
        if (size >= 56) {
            b.putInt(16, 1).putInt(20, 1).putShort(32, (short) cnLen).putInt(36, what);
        }
        try {
            decodeAll(exact(b));
        } catch (MalformedProcEventException e) {
            assertThat(e).hasMessageContaining("process connector message at offset");
        }
    }

    @Property(tries = 200)
    void zeroAndHugeLengthsAreMalformed(@ForAll("events") ProcEvent event, @ForAll("badLengths") int nlmsgLen) {
        ByteBuffer b = ProcEventEncoder.encode(List.of(event));
        b.putInt(0, nlmsgLen);
        assertThatThrownBy(() -> decodeAll(exact(b))).isInstanceOf(MalformedProcEventException.class)
                .hasMessageContaining("nlmsg_len");
    }

    @Property(tries = 200)
    void aConnectorLengthPastItsMessageIsMalformed(@ForAll("events") ProcEvent event,
            @ForAll @IntRange(min = 1, max = 0xffff) int extra) {
        if (event instanceof ProcEvent.Lost) {
            return;
        }
        ByteBuffer b = ProcEventEncoder.encode(List.of(event));
        int room = ProcEventEncoder.length(event) - Netlink.NLMSG_HDRLEN - Netlink.CN_MSG_SIZE;
        b.putShort(Netlink.NLMSG_HDRLEN + 16, (short) Math.min(0xffff, room + extra));
        assertThatThrownBy(() -> decodeAll(exact(b))).isInstanceOf(MalformedProcEventException.class)
                .hasMessageContaining("cn_msg.len");
    }

    @Property(tries = 200)
    void aShortConnectorLengthForItsTypeIsMalformed(@ForAll("events") ProcEvent event,
            @ForAll @IntRange(min = 1, max = 8) int shortBy) {
        if (event instanceof ProcEvent.Lost || event instanceof ProcEvent.Unknown) {
            return;
        }
        ByteBuffer b = ProcEventEncoder.encode(List.of(event));
        int room = ProcEventEncoder.length(event) - Netlink.NLMSG_HDRLEN - Netlink.CN_MSG_SIZE;
        b.putShort(Netlink.NLMSG_HDRLEN + 16, (short) (room - shortBy));
        assertThatThrownBy(() -> decodeAll(exact(b))).isInstanceOf(MalformedProcEventException.class);
    }

    @Property(tries = 100)
    void acknowledgementsNoopsAndOtherConnectorsCarryNoEvent(@ForAll @Size(max = 5) List<@From("events") ProcEvent> events)
            throws Exception {
        ByteBuffer real = ProcEventEncoder.encode(events);
        ByteBuffer b = ByteBuffer.allocate(real.limit() + 16 + 76 + 76).order(ByteOrder.nativeOrder());
        b.putInt(16).putShort((short) Netlink.NLMSG_NOOP).putShort((short) 0).putInt(0).putInt(0);
        int ack = b.position();
        b.putInt(76).putShort((short) Netlink.NLMSG_DONE).putShort((short) 0).putInt(0).putInt(0);
        b.putInt(1).putInt(1).putInt(0).putInt(1).putShort((short) 40).putShort((short) 0);
        b.putInt(0).putInt(1).putLong(5).putInt(0);
        b.position(ack + 76);
        b.putInt(76).putShort((short) Netlink.NLMSG_DONE).putShort((short) 0).putInt(0).putInt(0);
        b.putInt(9).putInt(1).putInt(0).putInt(0).putShort((short) 40).putShort((short) 0);
        b.putInt(ProcConnectorRecords.WHAT_FORK);
        b.position(ack + 152);
        b.put(real);
        assertThat(decodeAll(exact(b.flip()))).isEqualTo(events);
    }

    @Property(tries = 300)
    void waitStatusesDecodeAsTheKernelEncodesThem(@ForAll @IntRange(min = 0, max = 255) int code,
            @ForAll @IntRange(min = 1, max = 64) int signal) {
        assertThat(ProcConnectorRecords.waitStatus(code << 8)).isEqualTo(new ProcessExit.Exited(code));
        assertThat(ProcConnectorRecords.waitStatus(signal)).isEqualTo(new ProcessExit.Killed(signal));
        assertThat(ProcConnectorRecords.waitStatus(signal | 0x80)).isEqualTo(new ProcessExit.Dumped(signal));
    }

    @Provide
    Arbitrary<Integer> badLengths() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, Netlink.NLMSG_HDRLEN - 1),
                Arbitraries.integers().between(200, Integer.MAX_VALUE), Arbitraries.just(-1));
    }

    @Provide
    Arbitrary<Integer> whats() {
        return Arbitraries.oneOf(Arbitraries.of(KNOWN_WHATS), Arbitraries.integers());
    }

    @Provide
    Arbitrary<ProcEvent> events() {
        Arbitrary<Integer> cpu = Arbitraries.integers().between(0, 1023);
        Arbitrary<Long> ts = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Integer> pid = Arbitraries.integers().between(0, 4_194_304);
        Arbitrary<Long> id = Arbitraries.longs().between(0, 0xffffffffL);
        Arbitrary<ProcessExit.Status> status = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(ProcessExit.Exited::new),
                Arbitraries.integers().between(1, 64).map(ProcessExit.Killed::new),
                Arbitraries.integers().between(1, 64).map(ProcessExit.Dumped::new));
        Arbitrary<String> comm = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(15);
        return Arbitraries.oneOf(
                Combinators.combine(cpu, ts, pid, pid, pid, pid).as(ProcEvent.Fork::new),
                Combinators.combine(cpu, ts, pid, pid).as(ProcEvent.Exec::new),
                Combinators.combine(cpu, ts, pid, pid, id, id).as(ProcEvent.Uid::new),
                Combinators.combine(cpu, ts, pid, pid, id, id).as(ProcEvent.Gid::new),
                Combinators.combine(cpu, ts, pid, pid).as(ProcEvent.Sid::new),
                Combinators.combine(cpu, ts, pid, pid, pid, pid).as(ProcEvent.Ptrace::new),
                Combinators.combine(cpu, ts, pid, pid, comm).as(ProcEvent.Comm::new),
                Combinators.combine(cpu, ts, pid, pid, pid, pid).as(ProcEvent.Coredump::new),
                Combinators.combine(cpu, ts, pid, pid, status, Arbitraries.integers().between(-1, 64), pid, pid)
                        .as(ProcEvent.Exit::new),
                Combinators.combine(cpu, ts, Arbitraries.integers().filter(w -> !KNOWN_WHATS.contains(w)))
                        .as(ProcEvent.Unknown::new),
                Arbitraries.just(new ProcEvent.Lost(1)));
    }
}
