package io.aem.linux;

/**
 * A use of an {@link OwnedFd} after it was closed. The number it held may already belong to
 * another file, so the use is refused instead of reaching the kernel.
 */
public class ClosedFdException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what the descriptor's description, for example {@code "eventfd 12 (user events 'jobs')"}
     */
    public ClosedFdException(String what) {
        super(what + " is closed; it cannot be used again (open a new one)");
    }
}
