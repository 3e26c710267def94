package io.aem.linux.source;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The batch buffer of one subscription: native memory that {@code read(2)} fills, seen from Java
 * as a direct {@link ByteBuffer} in native byte order, so records are parsed without JNA calls.
 * It is the only place a subscription keeps events it has not delivered. Loop thread only.
 */
public final class ReadBuffer implements AutoCloseable {
    private final Memory memory;
    private final ByteBuffer buffer;

    /**
     * Allocates the buffer.
     *
     * @param capacity bytes, at least 1
     */
    public ReadBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch buffer size must be at least 1 byte, was " + capacity);
        }
        this.memory = new Memory(capacity);
        this.buffer = memory.getByteBuffer(0, capacity).order(ByteOrder.nativeOrder());
        this.buffer.limit(0);
    }

    /** The native address to read into. */
    public Pointer address() {
        return memory;
    }

    /** The capacity in bytes. */
    public int capacity() {
        return buffer.capacity();
    }

    /** The Java view, positioned at the next unread byte and limited to the bytes read. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Frees the native memory. */
    @Override
    public void close() {
        memory.close();
    }
}
