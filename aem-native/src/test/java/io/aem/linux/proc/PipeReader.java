package io.aem.linux.proc;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Io;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread that reads a blocking pipe read end to its end, checking every byte against
 * {@link PipePattern}, then closes it. It starts reading once its gate opens, so a test can hold
 * it back to let the pipe fill. Tests only.
 */
final class PipeReader {
    /** Bytes read and checked so far. */
    final AtomicLong received = new AtomicLong();
    /** Completes with the byte count at end of file, or with the first wrong byte or failed read. */
    final CompletableFuture<Long> done = new CompletableFuture<>();
    private final OwnedFd readEnd;
    private final CompletableFuture<Void> gate;

    private PipeReader(OwnedFd readEnd, CompletableFuture<Void> gate) {
        this.readEnd = readEnd;
        this.gate = gate;
    }

    /** Starts reading at once. */
    static PipeReader start(OwnedFd readEnd) {
        return startAfter(readEnd, CompletableFuture.completedFuture(null));
    }

    /** Starts reading once {@code gate} completes. */
    static PipeReader startAfter(OwnedFd readEnd, CompletableFuture<Void> gate) {
        PipeReader r = new PipeReader(readEnd, gate);
        Thread t = new Thread(r::run, "pipe-reader");
        t.setDaemon(true);
        t.start();
        return r;
    }

    private void run() {
        try (Memory block = new Memory(64 * 1024)) {
            gate.join();
            long offset = 0;
            for (;;) {
                long n = Io.read(readEnd.get(), block, block.size());
                if (n == 0) {
                    done.complete(offset);
                    return;
                }
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw new IllegalStateException("read failed: " + Errno.name((int) -n));
                }
                offset = PipePattern.check(block.getByteBuffer(0, n), offset);
                received.set(offset);
            }
        } catch (Throwable t) {
            done.completeExceptionally(t);
        } finally {
            readEnd.close();
        }
    }
}
