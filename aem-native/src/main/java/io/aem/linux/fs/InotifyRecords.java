package io.aem.linux.fs;

import io.aem.linux.sys.Inotify;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Decodes {@code struct inotify_event} records from a batch read from an inotify fd, in Java,
 * without a JNA call per record.
 *
 * <p>The batch is a buffer in native byte order holding whole records: a 16-byte header
 * ({@code wd}, {@code mask}, {@code cookie}, {@code len}) followed by {@code len} bytes of name,
 * NUL-padded. Names are decoded with the JVM's file-name charset ({@code sun.jnu.encoding}), as
 * {@code java.nio.file} does. Anything that does not fit the layout raises
 * {@link MalformedRecordException}; the decoder never reads past the buffer's limit and always
 * consumes at least one header when it returns a record. Stateless and thread-safe.
 */
public final class InotifyRecords {
    private static final Charset FILE_NAMES = fileNameCharset();

    private InotifyRecords() {
    }

    /**
     * Decodes the record at the buffer's position and advances past it.
     *
     * @param batch native-order bytes read from an inotify fd, positioned at a record
     * @return the record
     * @throws MalformedRecordException when the remaining bytes are shorter than a header, or
     *                                  the name length points past the limit
     */
    public static InotifyRecord next(ByteBuffer batch) throws MalformedRecordException {
        int at = batch.position();
        int remaining = batch.remaining();
        if (remaining < Inotify.EVENT_HEADER_SIZE) {
            throw new MalformedRecordException("inotify record at offset " + at + " is truncated: " + remaining
                    + " bytes left, a header needs " + Inotify.EVENT_HEADER_SIZE);
        }
        int wd = batch.getInt(at);
        int mask = batch.getInt(at + 4);
        int cookie = batch.getInt(at + 8);
        long len = Integer.toUnsignedLong(batch.getInt(at + 12));
        if (len > remaining - Inotify.EVENT_HEADER_SIZE) {
            throw new MalformedRecordException("inotify record at offset " + at + " declares a name of " + len
                    + " bytes but only " + (remaining - Inotify.EVENT_HEADER_SIZE) + " follow its header");
        }
        int nameStart = at + Inotify.EVENT_HEADER_SIZE;
        int nameLength = 0;
        while (nameLength < len && batch.get(nameStart + nameLength) != 0) {
            nameLength++;
        }
        String name = "";
        if (nameLength > 0) {
            byte[] bytes = new byte[nameLength];
            batch.get(nameStart, bytes, 0, nameLength);
            name = new String(bytes, FILE_NAMES);
        }
        batch.position(nameStart + (int) len);
        return new InotifyRecord(wd, mask, cookie, name);
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
