package io.aem.linux.bpf;

import com.sun.jna.Pointer;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.sys.Mman;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@code BPF_MAP_TYPE_RINGBUF} mapped into this process: the consumer page read-write at
 * offset 0, and from offset one page the producer page followed by the data area mapped twice,
 * read-only. Positions are read with acquire and written with release ordering through a
 * {@link VarHandle} over the mapped memory, pairing with the kernel's
 * {@code smp_store_release}/{@code smp_load_acquire}.
 *
 * <p>Threading: one consumer thread (the event loop). {@link #close()} unmaps both areas once;
 * the map fd stays with its owner. Cost: two {@code mmap} at creation, no system call per record.
 */
final class RingBufferMapping implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final long pageSize;
    private final long size;
    private long consumerAddress;
    private long producerAddress;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;

    private RingBufferMapping(long pageSize, long size, long consumerAddress, long producerAddress) {
        this.pageSize = pageSize;
        this.size = size;
        this.consumerAddress = consumerAddress;
        this.producerAddress = producerAddress;
        this.consumerPage = new Pointer(consumerAddress).getByteBuffer(0, pageSize).order(ByteOrder.nativeOrder());
        this.producerPage = new Pointer(producerAddress).getByteBuffer(0, pageSize).order(ByteOrder.nativeOrder());
        this.data = new Pointer(producerAddress + pageSize).getByteBuffer(0, 2 * size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Maps the ring buffer of a map fd.
     *
     * @param fd   the ring buffer map's fd
     * @param size its {@code max_entries}: the data area's size
     * @return the mapping
     * @throws KernelException when {@code mmap} fails
     */
    static RingBufferMapping map(int fd, long size) throws KernelException {
        long page = Mman.pageSize();
        long consumer = Mman.mapShared(page, Mman.PROT_READ | Mman.PROT_WRITE, fd, 0);
        if (consumer < 0) {
            throw Errno.exception("mmap(ring buffer consumer page)", (int) -consumer, null);
        }
        long producer = Mman.mapShared(page + 2 * size, Mman.PROT_READ, fd, page);
        if (producer < 0) {
            Mman.unmap(consumer, page);
            throw Errno.exception("mmap(ring buffer data)", (int) -producer, null);
        }
        return new RingBufferMapping(page, size, consumer, producer);
    }

    /** The data area's size in bytes. */
    long size() {
        return size;
    }

    /** The data area, {@code 2 * size} bytes, little-endian. */
    ByteBuffer data() {
        return data;
    }

    /** The producer position, with acquire ordering. */
    long producerPosition() {
        return (long) LONGS.getAcquire(producerPage, 0);
    }

    /** The consumer position. */
    long consumerPosition() {
        return (long) LONGS.getAcquire(consumerPage, 0);
    }

    /** Publishes the consumer position, with release ordering: the kernel may reuse the bytes before it. */
    void consumerPosition(long position) {
        LONGS.setRelease(consumerPage, 0, position);
    }

    /** Unmaps both areas; idempotent. */
    @Override
    public void close() {
        if (consumerAddress != 0) {
            Mman.unmap(consumerAddress, pageSize);
            Mman.unmap(producerAddress, pageSize + 2 * size);
            consumerAddress = 0;
            producerAddress = 0;
        }
    }
}
