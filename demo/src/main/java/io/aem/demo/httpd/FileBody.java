package io.aem.demo.httpd;

import io.aem.linux.net.TcpConnection;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The body of a file too large to cache, sent in chunks: each chunk is read into the server's one
 * chunk buffer and handed to {@link TcpConnection#write}, which sends what the socket takes and
 * queues the rest; once the write queue is above its limit the body waits for
 * {@link TcpConnection#onWritable}. So a file is never read whole, and a client that does not read
 * holds at most the queue limit plus one chunk of the server's memory.
 *
 * <p>Threading: the server's loop thread only. Owns one open file until {@link #close()}.
 */
final class FileBody implements AutoCloseable {
    private final FileChannel channel;
    private long remaining;

    private FileBody(FileChannel channel, long size) {
        this.channel = channel;
        this.remaining = size;
    }

    /**
     * Opens a file for sending.
     *
     * @param path the file
     * @param size how many bytes to send (the {@code content-length} announced)
     * @return the body, owning the open file
     * @throws IOException if the file cannot be opened
     */
    static FileBody open(Path path, long size) throws IOException {
        return new FileBody(FileChannel.open(path, StandardOpenOption.READ), size);
    }

    /**
     * Writes chunks until the body is sent or the write queue is full.
     *
     * @param connection where to write
     * @param chunk      the server's chunk buffer (overwritten)
     * @return false when the write queue is above its limit (wait for {@code onWritable}, then
     *         call again if {@link #hasRemaining()}), true when the whole body is written and the
     *         queue takes more
     * @throws IOException if the file cannot be read, or ends before the announced size
     *                     ({@link EOFException}: it shrank; the connection must be reset)
     */
    boolean pump(TcpConnection connection, ByteBuffer chunk) throws IOException {
        while (remaining > 0) {
            chunk.clear();
            if (remaining < chunk.capacity()) {
                chunk.limit((int) remaining);
            }
            int read = channel.read(chunk);
            if (read < 0) {
                throw new EOFException("file shrank while sent; " + remaining + " bytes missing");
            }
            chunk.flip();
            remaining -= read;
            if (!connection.write(chunk)) {
                return false;
            }
        }
        return true;
    }

    /** Whether bytes remain to be written. */
    boolean hasRemaining() {
        return remaining > 0;
    }

    /** Closes the file; idempotent. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a read-only file loses nothing.
        }
    }
}
