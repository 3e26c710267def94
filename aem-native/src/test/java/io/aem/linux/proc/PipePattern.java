package io.aem.linux.proc;

import java.nio.ByteBuffer;

/**
 * The test byte stream: the byte at offset {@code k} is {@code k % 251}, so a lost, repeated or
 * reordered chunk shows up as a wrong byte at a known offset. Tests only.
 */
final class PipePattern {
    private static final int PERIOD = 251;

    private PipePattern() {
    }

    /** The byte at {@code offset}. */
    static byte at(long offset) {
        return (byte) (offset % PERIOD);
    }

    /** Fills {@code dst[0..length)} with the pattern starting at {@code offset}. */
    static void fill(byte[] dst, int length, long offset) {
        int v = (int) (offset % PERIOD);
        for (int i = 0; i < length; i++) {
            dst[i] = (byte) v;
            if (++v == PERIOD) {
                v = 0;
            }
        }
    }

    /** A heap buffer holding {@code length} pattern bytes from {@code offset}. */
    static ByteBuffer buffer(int length, long offset) {
        byte[] b = new byte[length];
        fill(b, length, offset);
        return ByteBuffer.wrap(b);
    }

    /**
     * Checks the buffer's remaining bytes against the pattern from {@code offset}, without moving its position.
     *
     * @return the offset after the buffer
     * @throws AssertionError at the first wrong byte
     */
    static long check(ByteBuffer chunk, long offset) {
        int v = (int) (offset % PERIOD);
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            if (chunk.get(i) != (byte) v) {
                throw new AssertionError("byte at offset " + (offset + i - chunk.position()) + " is " + chunk.get(i)
                        + ", expected " + (byte) v);
            }
            if (++v == PERIOD) {
                v = 0;
            }
        }
        return offset + chunk.remaining();
    }
}
