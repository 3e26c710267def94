package io.aem.linux.fs;

import io.aem.linux.sys.FileHandles;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A kernel file handle ({@code struct file_handle}): an opaque name for a file or directory that
 * stays valid across renames, as {@code name_to_handle_at(2)} makes it and fanotify reports it in
 * FID records. Meaningful only together with the filesystem it came from (the {@code fsid} of
 * its record). Immutable: the bytes are copied in and out.
 *
 * @param type  {@code handle_type}, chosen by the filesystem
 * @param bytes the opaque {@code f_handle} bytes
 */
public record FileHandle(int type, byte[] bytes) {
    /**
     * Copies the bytes.
     *
     * @throws NullPointerException if {@code bytes} is {@code null}
     */
    public FileHandle {
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    /** A copy of the opaque bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Number of opaque bytes ({@code handle_bytes}). */
    public int length() {
        return bytes.length;
    }

    /**
     * Writes the handle as {@code struct file_handle} for {@code open_by_handle_at}, at offset 0.
     *
     * @param to native-order view of at least {@link FileHandles#HEADER_SIZE} + {@link #length()} bytes
     */
    void writeStruct(ByteBuffer to) {
        to.putInt(0, bytes.length);
        to.putInt(4, type);
        to.put(FileHandles.HEADER_SIZE, bytes, 0, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileHandle h && h.type == type && Arrays.equals(h.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "FileHandle[type=" + type + ", " + HexFormat.of().formatHex(bytes) + "]";
    }
}
