package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;

/**
 * A write found the pipe without a reader ({@code EPIPE}): every read end was closed, for a
 * child's stdin because the process closed its stdin or exited. What was not yet written is
 * dropped; nothing more can be delivered through this pipe.
 */
public class BrokenPipeException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final long written;

    /**
     * Creates the exception.
     *
     * @param pipeName what the pipe carries, for example {@code "stdin of 1234"}
     * @param written  bytes written before the reader went away
     */
    public BrokenPipeException(String pipeName, long written) {
        super("write", Errno.EPIPE, "the reader of " + pipeName + " closed its end after " + written
                + " bytes (for a child's stdin: the process closed its stdin or exited); the rest is dropped."
                + " Expect this if the process may stop reading early, or keep it reading until the input ends");
        this.written = written;
    }

    /** Bytes written before the reader went away. */
    public long written() {
        return written;
    }
}
