package io.aem.linux.net;

import com.sun.jna.Memory;
import io.aem.linux.sys.Sockets;
import java.nio.ByteBuffer;

/**
 * Native memory shared by every socket of one loop thread, made once per thread: the read buffer
 * that {@code recv} fills (handed to borrowing subscribers as one and the same {@link ByteBuffer}),
 * the staging area that heap buffers are copied into before {@code send}, and scratch for
 * addresses and options. Used only on the thread that made it, never across a call that could run
 * another socket's handler.
 */
final class LoopScratch {
    /** Bytes read per {@code recv}. */
    static final int READ_SIZE = 64 * 1024;
    /** Bytes staged per {@code send} of a heap buffer. */
    static final int WRITE_SIZE = 64 * 1024;

    private static final ThreadLocal<LoopScratch> CURRENT = ThreadLocal.withInitial(LoopScratch::new);

    final Memory readMemory = new Memory(READ_SIZE);
    final ByteBuffer readView = readMemory.getByteBuffer(0, READ_SIZE);
    final Memory writeMemory = new Memory(WRITE_SIZE);
    final ByteBuffer writeView = writeMemory.getByteBuffer(0, WRITE_SIZE);
    final Memory address = Sockets.addressScratch();
    final Memory option = new Memory(16);

    private LoopScratch() {
    }

    /** The scratch of the calling thread. */
    static LoopScratch current() {
        return CURRENT.get();
    }
}
