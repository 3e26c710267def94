package io.aem.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.aem.linux.sys.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The writer of the file event ping-pong, the same system calls as the C reference
 * ({@code inotify_latency.c}) through {@link LibC} directly: per cycle, {@code open} one of
 * eight existing files {@code f0}..{@code f7} (in turn) for writing, read the clock, write one
 * byte, read the clock, {@code close}. The two clock readings go to the recorder before the
 * calls they precede; the index of the file goes there before the {@code open}, for the
 * receiver's check.
 */
final class ClosingWriter implements AutoCloseable {
    static final int FILES = 8;
    private static final int AT_FDCWD = -100;
    private static final int O_WRONLY = 0x1;
    private static final int O_CLOEXEC = 0x80000;

    private final String[] names = new String[FILES];
    private final Path[] namePaths = new Path[FILES];
    private final Memory[] paths = new Memory[FILES];
    private final Memory one = new Memory(1);
    private long cycles;

    /**
     * Creates (or keeps) the eight files in {@code dir}.
     *
     * @throws IOException when a file cannot be created
     */
    ClosingWriter(Path dir) throws IOException {
        one.setByte(0, (byte) 'x');
        for (int k = 0; k < FILES; k++) {
            names[k] = "f" + k;
            namePaths[k] = Path.of(names[k]);
            Path file = dir.resolve(names[k]);
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            byte[] b = file.toString().getBytes(StandardCharsets.UTF_8);
            paths[k] = new Memory(b.length + 1L);
            paths[k].write(0, b, 0, b.length);
            paths[k].setByte(b.length, (byte) 0);
        }
    }

    /**
     * Whether {@code path} names file {@code k}: its last element is {@code f<k>}. Compares
     * without allocating, so that the check does not count in the receiver's allocation.
     */
    boolean isFile(Path path, int k) {
        return path != null && path.endsWith(namePaths[k]);
    }

    /** One cycle: open the next file, write one byte, close; the times go to {@code r}. */
    void cycle(CloseLatencyRecorder r) {
        int k = (int) (cycles++ % FILES);
        r.expected = k;
        int fd = LibC.openat(AT_FDCWD, paths[k], O_WRONLY | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("open " + names[k] + ": errno " + Native.getLastError());
        }
        r.wroteAt = System.nanoTime();
        if (LibC.write(fd, one, 1) != 1) {
            throw new IllegalStateException("write " + names[k] + ": errno " + Native.getLastError());
        }
        r.closedAt = System.nanoTime();
        if (LibC.close(fd) != 0) {
            throw new IllegalStateException("close " + names[k] + ": errno " + Native.getLastError());
        }
    }

    @Override
    public void close() {
        for (Memory m : paths) {
            m.close();
        }
        one.close();
    }
}
