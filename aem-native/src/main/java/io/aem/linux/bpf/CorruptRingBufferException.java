package io.aem.linux.bpf;

import java.io.IOException;

/**
 * The ring buffer's positions or a record header make no sense: a length past the producer
 * position or larger than the ring, a consumer ahead of the producer, a record larger than the
 * batch buffer. The stream ends with this error (nothing can be trusted after a bad length), and
 * the loader's object is closed.
 */
public final class CorruptRingBufferException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, with the positions
     */
    public CorruptRingBufferException(String message) {
        super(message);
    }
}
