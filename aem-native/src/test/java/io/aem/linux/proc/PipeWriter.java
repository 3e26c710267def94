package io.aem.linux.proc;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.LibC;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread that writes {@link PipePattern} bytes into a non-blocking pipe write end and, when the
 * pipe is full ({@code EAGAIN}), counts it and waits in {@code poll(POLLOUT)}: a writer held back
 * by the kernel, observable. Closes the write end at the end. Tests only.
 */
final class PipeWriter {
    private static final short POLLOUT = 4;
    private static final int BLOCK = 16 * 1024;

    /** Bytes written so far. */
    final AtomicLong written = new AtomicLong();
    /** How many times a write found the pipe full. */
    final AtomicLong fullPipe = new AtomicLong();
    /** Completes with the bytes written, or with the {@code errno} of a failed write as a message. */
    final CompletableFuture<Long> done = new CompletableFuture<>();
    private final OwnedFd writeEnd;
    private final long total;

    private PipeWriter(OwnedFd writeEnd, long total) {
        this.writeEnd = writeEnd;
        this.total = total;
    }

    /** Starts writing {@code total} bytes on a new thread. */
    static PipeWriter start(OwnedFd writeEnd, long total) {
        PipeWriter w = new PipeWriter(writeEnd, total);
        Thread t = new Thread(w::run, "pipe-writer");
        t.setDaemon(true);
        t.start();
        return w;
    }

    private void run() {
        byte[] bytes = new byte[BLOCK];
        try (Memory block = new Memory(BLOCK); Memory pollfd = new Memory(8)) {
            long off = 0;
            while (off < total) {
                int len = (int) Math.min(BLOCK, total - off);
                PipePattern.fill(bytes, len, off);
                block.write(0, bytes, 0, len);
                int at = 0;
                while (at < len) {
                    long n = Io.write(writeEnd.get(), block.share(at), len - at);
                    if (n > 0) {
                        at += (int) n;
                        written.addAndGet(n);
                    } else if (n == -Errno.EAGAIN) {
                        fullPipe.incrementAndGet();
                        pollfd.setInt(0, writeEnd.get());
                        pollfd.setShort(4, POLLOUT);
                        pollfd.setShort(6, (short) 0);
                        LibC.poll(pollfd, 1, 10_000);
                    } else if (n != -Errno.EINTR) {
                        throw new IllegalStateException("write failed: " + Errno.name((int) -n));
                    }
                }
                off += len;
            }
            done.complete(off);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        } finally {
            writeEnd.close();
        }
    }
}
