package io.aem.linux.proc;

import java.io.IOException;

/**
 * Bytes read from the process connector do not have the layout of {@code linux/netlink.h},
 * {@code linux/connector.h} and {@code linux/cn_proc.h}: a length field shorter than its header
 * or pointing past the bytes read, or an event shorter than its type needs. The stream that read
 * them ends with this error: where the next message starts can no longer be trusted. The kernel
 * never sends such bytes; seeing this means a bug, here or in the kernel.
 */
public class MalformedProcEventException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what which message, at which offset, and what is wrong with it
     */
    public MalformedProcEventException(String what) {
        super(what);
    }
}
