package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Pipes;

/**
 * Both ends of one pipe, each with its own owner. Both ends are close-on-exec; which end is
 * non-blocking depends on the factory: the end this process keeps for the event loop is
 * {@code O_NONBLOCK}, the end handed to a child (through {@code posix_spawn}'s {@code dup2} file
 * action, which clears close-on-exec on the duplicate) stays blocking, as programs expect of
 * their stdio. Setting {@code O_NONBLOCK} on one end does not change the other: each end is its
 * own open file description.
 *
 * <p>{@link #close()} closes both ends (each once; closing an end already handed on does nothing
 * more). Costs: {@code pipe2} plus one {@code fcntl} pair for the non-blocking end.
 *
 * @param readEnd  the end that reads
 * @param writeEnd the end that writes
 */
public record PipePair(OwnedFd readEnd, OwnedFd writeEnd) implements AutoCloseable {

    /**
     * A pipe for a child's stdout or stderr: this process reads ({@link #readEnd()} non-blocking,
     * for {@link PipeSource}), the child writes ({@link #writeEnd()} blocking).
     *
     * @return the pipe
     * @throws KernelException {@link io.aem.linux.ResourceLimitException} at the fd limit
     */
    public static PipePair forChildOutput() throws KernelException {
        PipePair pair = open(Pipes.O_CLOEXEC);
        pair.nonBlocking(pair.readEnd);
        return pair;
    }

    /**
     * A pipe for a child's stdin: this process writes ({@link #writeEnd()} non-blocking, for
     * {@link PipeSink}), the child reads ({@link #readEnd()} blocking).
     *
     * @return the pipe
     * @throws KernelException {@link io.aem.linux.ResourceLimitException} at the fd limit
     */
    public static PipePair forChildInput() throws KernelException {
        PipePair pair = open(Pipes.O_CLOEXEC);
        pair.nonBlocking(pair.writeEnd);
        return pair;
    }

    /**
     * A pipe with both ends non-blocking, for use within this process.
     *
     * @return the pipe
     * @throws KernelException {@link io.aem.linux.ResourceLimitException} at the fd limit
     */
    public static PipePair nonBlocking() throws KernelException {
        return open(Pipes.O_CLOEXEC | Pipes.O_NONBLOCK);
    }

    private static PipePair open(int flags) throws KernelException {
        int[] fds = new int[2];
        int r = Pipes.open(flags, fds);
        if (r < 0) {
            throw Errno.exception("pipe2", -r, null);
        }
        return new PipePair(new OwnedFd(fds[0], "pipe read end"), new OwnedFd(fds[1], "pipe write end"));
    }

    private void nonBlocking(OwnedFd end) throws KernelException {
        int r = Pipes.setNonBlocking(end.get());
        if (r < 0) {
            close();
            throw Errno.exception("fcntl(F_SETFL, O_NONBLOCK) on " + end, -r, null);
        }
    }

    /** Closes both ends; idempotent, any thread. */
    @Override
    public void close() {
        readEnd.close();
        writeEnd.close();
    }
}
