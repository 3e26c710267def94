package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;

/**
 * The pid names no process ({@code ESRCH}): it never existed, or it exited and was reaped
 * before it could be watched.
 */
public class NoSuchProcessException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final long pid;

    /**
     * Creates the exception.
     *
     * @param call the call that failed, for example {@code "pidfd_open"}
     * @param pid  the pid asked for
     */
    public NoSuchProcessException(String call, long pid) {
        super(call, Errno.ESRCH, "no process has pid " + pid + " (it never existed, or it has exited and was"
                + " reaped); open the watch while the process runs, for example right after starting it, and"
                + " for a child of this JVM before anything waits for it");
        this.pid = pid;
    }

    /** The pid that names no process. */
    public long pid() {
        return pid;
    }
}
