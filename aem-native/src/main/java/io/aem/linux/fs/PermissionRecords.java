package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.nio.ByteBuffer;

/**
 * Decodes the {@code struct fanotify_event_metadata} headers of a batch read from a
 * permission-class fanotify group in fd mode, in Java, without a JNA call per record.
 *
 * <p>Layout (see {@link Fanotify}): {@code u32 event_len} at 0, {@code u8 vers} at 4 (must be
 * {@value Fanotify#METADATA_VERSION}), {@code u16 metadata_len} at 6, {@code u64 mask} at 8,
 * {@code s32 fd} at 16, {@code s32 pid} at 20. A group without {@code FAN_REPORT_*} flags writes
 * no info records, but the decoder honours {@code event_len} and skips whatever follows the
 * header. Anything that does not fit raises {@link MalformedRecordException}; the decoder never
 * reads past the buffer's limit and, when it returns, has advanced by exactly {@code event_len}.
 * Stateless and thread-safe; allocates one small header object per record.
 */
final class PermissionRecords {
    private PermissionRecords() {
    }

    /**
     * One decoded header.
     *
     * @param mask the event bits ({@code FAN_*_PERM}, {@code FAN_ONDIR}, {@code FAN_Q_OVERFLOW})
     * @param fd   the event's fd, owned by whoever read it, or {@link Fanotify#FAN_NOFD}
     * @param pid  the acting process (thread-group id), as seen from the reader's pid namespace
     */
    record Header(long mask, int fd, int pid) {
    }

    /**
     * Decodes the record at the buffer's position and advances past it.
     *
     * @param batch native-order bytes read from a fanotify fd, positioned at a record
     * @return the header
     * @throws MalformedRecordException when fewer bytes than a header remain, the version is not
     *                                  {@value Fanotify#METADATA_VERSION}, or a length field is
     *                                  shorter than the header or points past the limit
     */
    static Header next(ByteBuffer batch) throws MalformedRecordException {
        int at = batch.position();
        int remaining = batch.remaining();
        if (remaining < Fanotify.METADATA_SIZE) {
            throw new MalformedRecordException("fanotify record at offset " + at + " is truncated: " + remaining
                    + " bytes left, a header needs " + Fanotify.METADATA_SIZE);
        }
        long eventLength = Integer.toUnsignedLong(batch.getInt(at));
        int version = Byte.toUnsignedInt(batch.get(at + 4));
        int metadataLength = Short.toUnsignedInt(batch.getShort(at + 6));
        if (version != Fanotify.METADATA_VERSION) {
            throw new MalformedRecordException("fanotify record at offset " + at + " has metadata version " + version
                    + "; this decoder reads version " + Fanotify.METADATA_VERSION + " (the kernel's ABI changed)");
        }
        if (metadataLength < Fanotify.METADATA_SIZE || eventLength < metadataLength) {
            throw new MalformedRecordException("fanotify record at offset " + at + " declares event_len " + eventLength
                    + " and metadata_len " + metadataLength + "; both must be at least " + Fanotify.METADATA_SIZE
                    + " and event_len at least metadata_len");
        }
        if (eventLength > remaining) {
            throw new MalformedRecordException("fanotify record at offset " + at + " declares event_len " + eventLength
                    + " but only " + remaining + " bytes remain");
        }
        long mask = batch.getLong(at + 8);
        int fd = batch.getInt(at + 16);
        int pid = batch.getInt(at + 20);
        batch.position(at + (int) eventLength);
        return new Header(mask, fd, pid);
    }
}
