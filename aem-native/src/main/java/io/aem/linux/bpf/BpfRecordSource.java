package io.aem.linux.bpf;

import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Io;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The event source behind every eBPF stream: loads one {@code aem-kernel} object with a filter
 * when a subscriber arrives, maps its ring buffer and reads it on the event loop.
 *
 * <p><b>Reading.</b> The loop watches (a duplicate of) the ring buffer's map fd for
 * {@code EPOLLIN}: no native callback, no extra thread. One {@link #read} copies the committed
 * records between the consumer and producer positions into the batch buffer (as many as fit) and
 * publishes the new consumer position, which frees that ring space for the kernel; the records
 * are then decoded one per demanded event. A record the kernel is still writing stops the copy
 * until the next readiness.
 *
 * <p><b>Demand and loss.</b> Without demand nothing is read: the ring fills and the programs count
 * what they cannot write in their per-CPU drop counter. After each copy the counter is read
 * unless the ring cannot have been full since the last look (see {@code mayHaveDropped}), and
 * any increase is delivered as the family's {@code Lost} event (after the records of that batch)
 * and counted through {@link SourceContext#reportLoss}, so that records delivered plus losses
 * reported equal the events the programs produced.
 *
 * <p><b>Errors</b> (as {@code onError}): {@link LibBpfMissingException},
 * {@link io.aem.linux.UnsupportedKernelFeatureException} (no kernel BTF, every program refused),
 * {@link io.aem.linux.MissingPrivilegeException} (no {@code CAP_BPF}+{@code CAP_PERFMON} nor
 * {@code CAP_SYS_ADMIN}), {@link CorruptRingBufferException}.
 *
 * <p><b>Close.</b> The framework closes the duplicate fd; {@link #closed()} then unmaps the ring,
 * destroys the links and closes the object, so no program, link or map of the subscription
 * remains. One instance serves one subscription at a time.
 *
 * @param <E> the family's event type
 */
final class BpfRecordSource<E> implements EventSource<E> {
    /**
     * More ring space than any record of the {@code aem-kernel} programs takes (the largest, an
     * attribute change with its path, is 336 bytes with its 8-byte ring header).
     */
    static final long LARGEST_RECORD_SPACE = 4096;

    private final BpfObjectFile file;
    private final BpfFilter filter;
    private final int ringBytes;
    private final int batchBytes;
    private final boolean classic;
    private final RecordDecoder<E> decoder;

    // Loop thread only, from open to closed.
    private BpfObject object;
    private RingBufferMapping ring;
    private DropCounter drops;

    BpfRecordSource(BpfObjectFile file, BpfOptions options, RecordDecoder<E> decoder) {
        this.file = Objects.requireNonNull(file, "file");
        this.filter = options.filter();
        this.ringBytes = options.ringBytes();
        this.batchBytes = options.batchBytes();
        this.classic = options.classicTracepoints();
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public String name() {
        return "eBPF " + file.description() + " (" + filter + (classic ? ", classic tracepoints" : "") + ")";
    }

    @Override
    public OwnedFd open(SourceContext context) throws IOException {
        if (object != null) {
            throw new IllegalStateException(name() + " already serves a subscription; make one source per subscriber");
        }
        BpfObject loaded = BpfObject.load(file, filter, ringBytes, classic);
        RingBufferMapping mapping = null;
        DropCounter counter = null;
        try {
            mapping = RingBufferMapping.map(loaded.ringFd(), ringBytes);
            counter = new DropCounter(loaded.dropsFd());
            int dup = Io.dupCloexec(loaded.ringFd());
            if (dup < 0) {
                throw Errno.exception("fcntl(F_DUPFD_CLOEXEC)", -dup, null);
            }
            object = loaded;
            ring = mapping;
            drops = counter;
            return new OwnedFd(dup, "eBPF ring buffer");
        } catch (IOException | RuntimeException e) {
            if (counter != null) {
                counter.close();
            }
            if (mapping != null) {
                mapping.close();
            }
            loaded.close();
            throw e;
        }
    }

    @Override
    public int batchSize() {
        return batchBytes;
    }

    /** Copies committed records into the batch, frees their ring space, then appends a loss record if the counter grew. */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws IOException {
        ByteBuffer batch = buffer.buffer();
        batch.clear();
        // Keep room for the loss record after the copied ones.
        batch.limit(batch.capacity() - (RingRecords.HEADER + 16));
        long consumer = ring.consumerPosition();
        long next = RingRecords.copy(ring.data(), ring.size(), consumer, ring.producerPosition(), batch);
        if (next != consumer) {
            ring.consumerPosition(next);
        }
        batch.limit(batch.capacity());
        if (mayHaveDropped(consumer)) {
            long lost = drops.newDrops();
            if (lost > 0) {
                RingRecords.putLost(batch, lost);
            }
        }
        int n = batch.position();
        batch.position(0);
        return n > 0 ? n : WOULD_BLOCK;
    }

    /**
     * Whether the programs can have dropped a record since the counter was last read, which
     * happened right after the consumer position became {@code consumer} (at the previous read).
     * Until the position published just now, the consumer stayed there, so the ring only filled
     * up: its fullest is the producer position read now minus {@code consumer}. A program drops
     * only a record that does not fit, so if the largest record still fits beside that, nothing
     * was dropped and the counter's system call (about 1 µs) is skipped. Sound for any
     * interleaving: a drop after this check happens while the ring holds more than
     * {@code size - LARGEST_RECORD_SPACE} bytes beyond the new consumer position, which the next
     * read sees.
     */
    private boolean mayHaveDropped(long consumer) {
        long fullest = ring.producerPosition() - consumer;
        return fullest + LARGEST_RECORD_SPACE > ring.size();
    }

    @Override
    public E decode(ByteBuffer batch, SourceContext context) throws IOException {
        ByteBuffer payload = RingRecords.next(batch);
        if (BpfRecords.type(payload) == RingRecords.LOST_TYPE && payload.limit() == 16) {
            long count = payload.getLong(8);
            context.reportLoss(count);
            return decoder.lost(count);
        }
        return decoder.decode(payload);
    }

    /** Unmaps the ring, destroys the links and closes the object. */
    @Override
    public void closed() {
        if (drops != null) {
            drops.close();
            drops = null;
        }
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (object != null) {
            object.close();
            object = null;
        }
    }

    /** The programs loaded for the current subscription, for diagnostics; empty when none. */
    List<String> programs() {
        BpfObject o = object;
        return o == null ? List.of() : o.programs();
    }
}
