package io.aem.linux.fs;

import java.io.IOException;

/**
 * A record read from the kernel does not have the layout its interface documents: truncated, or
 * a length field pointing past the bytes read. The stream that read it ends with this error,
 * since what follows in the batch can no longer be located.
 */
public class MalformedRecordException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what which record and what is wrong with it
     */
    public MalformedRecordException(String what) {
        super(what);
    }
}
