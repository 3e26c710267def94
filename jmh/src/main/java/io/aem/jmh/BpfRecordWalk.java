package io.aem.jmh;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.BpfRecords;
import io.aem.linux.bpf.CorruptRingBufferException;
import io.aem.linux.bpf.RingRecords;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Java half of the library's eBPF drain without the kernel, the loop or the subscriber: per
 * record, what {@code BpfRecordSource} does between the ring and {@code onNext} — the walk that
 * copies records from a full ring into a 64 KiB batch ({@link RingRecords#copy}), the batch walk
 * ({@link RingRecords#next}) and the decoding of a 328-byte {@code aem_attrs} record into an
 * {@link AttributeChangeEvent.Change} ({@link BpfRecords#attribute}). The ring is a direct buffer
 * laid out as the kernel maps it (data area twice), filled with {@value #RECORDS} records of an
 * {@code fchmod} (no path), as the drain benchmark's producer makes them. The figure is
 * nanoseconds per record; {@code copyOnly} leaves out the decoding.
 *
 * <p>{@code java -jar jmh/target/benchmarks.jar BpfRecordWalk -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class BpfRecordWalk {
    private static final int RING = 1 << 20;
    private static final int SPAN = 336;
    static final int RECORDS = RING / SPAN;
    private static final int BATCH = 64 * 1024;

    private ByteBuffer data;
    private ByteBuffer batch;

    /** Fills the ring. */
    @Setup
    public void setUp() {
        data = ByteBuffer.allocateDirect(2 * RING).order(ByteOrder.LITTLE_ENDIAN);
        for (int half = 0; half < 2; half++) {
            for (int i = 0; i < RECORDS; i++) {
                int at = half * RING + i * SPAN;
                data.putInt(at, BpfRecords.ATTR_SIZE);
                int p = at + RingRecords.HEADER;
                data.putInt(p, BpfRecords.ATTR).putInt(p + 4, 4242).putInt(p + 8, 4242).putLong(p + 16, 123456789L + i);
                data.putInt(p + 32, 91).putInt(p + 36, 3).putInt(p + 40, 0644).putInt(p + 44, -1).putInt(p + 48, -1);
            }
        }
        batch = ByteBuffer.allocateDirect(BATCH).order(ByteOrder.nativeOrder());
    }

    /** Copy, walk and decode every record of the full ring. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void copyAndDecode(Blackhole bh) throws CorruptRingBufferException {
        long consumer = 0;
        long producer = (long) RECORDS * SPAN;
        while (consumer < producer) {
            batch.clear();
            batch.limit(BATCH - (RingRecords.HEADER + 16));
            consumer = RingRecords.copy(data, RING, consumer, producer, batch);
            batch.flip();
            while (batch.hasRemaining()) {
                bh.consume(BpfRecords.attribute(RingRecords.next(batch)));
            }
        }
    }

    /** Copy and walk only. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void copyOnly(Blackhole bh) throws CorruptRingBufferException {
        long consumer = 0;
        long producer = (long) RECORDS * SPAN;
        while (consumer < producer) {
            batch.clear();
            batch.limit(BATCH - (RingRecords.HEADER + 16));
            consumer = RingRecords.copy(data, RING, consumer, producer, batch);
            batch.flip();
            while (batch.hasRemaining()) {
                bh.consume(RingRecords.next(batch));
            }
        }
    }
}
