package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A preallocated array of {@code struct epoll_event}, read by offset without JNA structures.
 *
 * <p>The layout is per architecture: packed, 12 bytes with the data at offset 4 on x86 and
 * x86-64; 16 bytes with the data at offset 8 elsewhere. Reads go through a direct
 * {@link ByteBuffer} in native order over the same memory, so reading an event costs two plain
 * memory loads and no JNI call. Owned by one thread (the event loop); not thread-safe.
 */
public final class EpollEventArray implements AutoCloseable {
    /** Size of one {@code struct epoll_event} on this architecture. */
    public static final int EVENT_SIZE = Platform.isEpollEventPacked() ? 12 : 16;
    /** Offset of {@code epoll_event.data} on this architecture. */
    public static final int DATA_OFFSET = Platform.isEpollEventPacked() ? 4 : 8;

    private final Memory memory;
    private final ByteBuffer view;
    private final int capacity;

    /**
     * Allocates the array.
     *
     * @param capacity the most events one {@code epoll_wait} returns; at least 1
     */
    public EpollEventArray(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("epoll event array capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.memory = new Memory((long) capacity * EVENT_SIZE);
        this.memory.clear();
        this.view = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
    }

    /** The number of events the array holds. */
    public int capacity() {
        return capacity;
    }

    /** The native address handed to {@code epoll_wait}. */
    public Pointer pointer() {
        return memory;
    }

    /** The event mask of entry {@code i}. */
    public int events(int i) {
        return view.getInt(i * EVENT_SIZE);
    }

    /** The data token of entry {@code i}. */
    public long data(int i) {
        return view.getLong(i * EVENT_SIZE + DATA_OFFSET);
    }

    /** Frees the native memory; the array must not be used afterwards. */
    @Override
    public void close() {
        memory.close();
    }
}
