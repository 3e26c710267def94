package io.aem.linux;

import java.io.IOException;

/**
 * A system call refused by the kernel, with the call, the {@code errno} and what to do about it.
 *
 * <p>Subclasses name the cause more precisely: {@link ResourceLimitException} (a limit with its
 * current value), {@link MissingPrivilegeException} (the capability to grant) and
 * {@link UnsupportedKernelFeatureException} (what the kernel lacks). {@code EAGAIN} and
 * {@code EINTR} never become exceptions: the event loop retries or waits for readiness.
 * Instances are created only on failure paths; nothing here runs per event.
 */
public class KernelException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * Creates the exception.
     *
     * @param call   the system call or C function that failed, for example {@code "epoll_ctl"}
     * @param errno  the positive {@code errno} value it returned
     * @param detail what was being done, and the remedy; appended to the message
     */
    public KernelException(String call, int errno, String detail) {
        super(call + " failed: " + Errno.describe(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    /** The system call or C function that failed. */
    public String call() {
        return call;
    }

    /** The positive {@code errno} value. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, for example {@code "EMFILE"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
