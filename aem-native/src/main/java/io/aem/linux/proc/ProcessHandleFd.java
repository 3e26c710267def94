package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Pidfd;

/**
 * A pidfd held to signal one process: the kernel ties the fd to the process itself, not to its
 * number, so a signal never reaches a later process that reused the pid. Thread-safe; close once
 * done (try-with-resources).
 */
public final class ProcessHandleFd implements AutoCloseable {
    private final long pid;
    private final OwnedFd fd;

    private ProcessHandleFd(long pid, OwnedFd fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * Opens a pidfd for the process.
     *
     * @param pid a running process (a zombie counts: it has not been reaped yet)
     * @return the handle
     * @throws NoSuchProcessException no such process
     * @throws KernelException        the fd limit, or a kernel without {@code pidfd_open} (Linux 5.3)
     */
    public static ProcessHandleFd open(long pid) throws KernelException {
        return new ProcessHandleFd(pid, openPidfd(pid, 0));
    }

    static OwnedFd openPidfd(long pid, int flags) throws KernelException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid " + pid + " is not a process id (1.." + Integer.MAX_VALUE + ")");
        }
        int r = Pidfd.open((int) pid, flags);
        if (r == -Errno.ESRCH) {
            throw new NoSuchProcessException("pidfd_open", pid);
        }
        if (r < 0) {
            throw Errno.exception("pidfd_open(" + pid + ")", -r, null);
        }
        return new OwnedFd(r, "pidfd " + pid);
    }

    /** The process id. */
    public long pid() {
        return pid;
    }

    /**
     * Sends a signal with {@code pidfd_send_signal}.
     *
     * @param signal the signal number, for example 15 for {@code SIGTERM}; 0 checks that the process exists
     * @return {@code true} if sent, {@code false} if the process has already been reaped ({@code ESRCH})
     * @throws KernelException no permission to signal it, or the handle is closed
     */
    public boolean sendSignal(int signal) throws KernelException {
        int fdNumber = fd.acquire();
        try {
            int r = Pidfd.sendSignal(fdNumber, signal);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.ESRCH) {
                return false;
            }
            throw Errno.exception("pidfd_send_signal(" + pid + ", " + signal + ")", -r, null);
        } finally {
            fd.release();
        }
    }

    /** Closes the pidfd; later calls do nothing. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "ProcessHandleFd[pid=" + pid + ", " + fd + "]";
    }
}
