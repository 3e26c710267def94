package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes fanotify events from a batch read from a fanotify fd, in Java, without a JNA call per
 * record.
 *
 * <p>The batch is a buffer in native byte order holding whole events: each a
 * {@code struct fanotify_event_metadata} ({@code event_len}, {@code vers}, {@code metadata_len},
 * {@code mask}, {@code fd}, {@code pid}; layout in {@link Fanotify}) followed, up to
 * {@code event_len}, by information records, each with a 4-byte header ({@code info_type},
 * padding, {@code u16 len} counting the header). File-id records ({@code FID}, {@code DFID},
 * {@code DFID_NAME}, {@code OLD_DFID_NAME}, {@code NEW_DFID_NAME}) become
 * {@link FanotifyFileIdInfo}, {@code PIDFD} {@link FanotifyPidFdInfo}, {@code ERROR}
 * {@link FanotifyErrorInfo}; records of other types are skipped by their length. Names are
 * decoded with the JVM's file-name charset ({@code sun.jnu.encoding}), as {@code java.nio.file}
 * does.
 *
 * <p>Anything that does not fit the layout raises {@link MalformedRecordException}: a version
 * other than {@link Fanotify#METADATA_VERSION}, a {@code metadata_len} shorter than the
 * 24-byte struct, an {@code event_len} shorter than {@code metadata_len} or longer than the bytes
 * left, an information record shorter than its header (a length of 0 would never advance) or
 * longer than its event, a handle longer than its record, a name without its NUL. The decoder
 * never reads past the buffer's limit and consumes at least 24 bytes per event it returns.
 * Stateless and thread-safe.
 */
public final class FanotifyRecords {
    private static final int INFO_HEADER_SIZE = 4;
    /** Header, {@code fsid}, {@code handle_bytes} and {@code handle_type}. */
    private static final int FID_FIXED_SIZE = INFO_HEADER_SIZE + 8 + 8;

    private FanotifyRecords() {
    }

    /**
     * Decodes the event at the buffer's position and advances past it.
     *
     * @param batch native-order bytes read from a fanotify fd, positioned at an event
     * @return the event
     * @throws MalformedRecordException when the bytes do not have the documented layout; the
     *                                  position is then unspecified
     */
    public static FanotifyRecord next(ByteBuffer batch) throws MalformedRecordException {
        int at = batch.position();
        int remaining = batch.remaining();
        if (remaining < Fanotify.METADATA_SIZE) {
            throw malformed(at, "is truncated: " + remaining + " bytes left, the metadata needs " + Fanotify.METADATA_SIZE);
        }
        long eventLen = Integer.toUnsignedLong(batch.getInt(at));
        int version = batch.get(at + 4) & 0xff;
        int metadataLen = batch.getShort(at + 6) & 0xffff;
        if (version != Fanotify.METADATA_VERSION) {
            throw malformed(at, "has metadata version " + version + "; this decoder reads version "
                    + Fanotify.METADATA_VERSION + " (FANOTIFY_METADATA_VERSION of every kernel since 2.6.37)");
        }
        if (metadataLen < Fanotify.METADATA_SIZE) {
            throw malformed(at, "declares metadata_len " + metadataLen + ", less than the " + Fanotify.METADATA_SIZE
                    + "-byte struct fanotify_event_metadata");
        }
        if (eventLen < metadataLen) {
            throw malformed(at, "declares event_len " + eventLen + ", less than its metadata_len " + metadataLen);
        }
        if (eventLen > remaining) {
            throw malformed(at, "is truncated: event_len " + eventLen + " but only " + remaining + " bytes left");
        }
        long mask = batch.getLong(at + 8);
        int fd = batch.getInt(at + 16);
        int pid = batch.getInt(at + 20);
        int end = at + (int) eventLen;
        List<FanotifyInfo> infos = new ArrayList<>(2);
        int p = at + metadataLen;
        while (p < end) {
            if (end - p < INFO_HEADER_SIZE) {
                throw malformed(at, "has " + (end - p) + " bytes at offset " + p + " after its last information record,"
                        + " too few for a " + INFO_HEADER_SIZE + "-byte record header");
            }
            int type = batch.get(p) & 0xff;
            int len = batch.getShort(p + 2) & 0xffff;
            if (len < INFO_HEADER_SIZE) {
                throw malformed(at, "has an information record of type " + type + " at offset " + p + " with len " + len
                        + ", less than its own " + INFO_HEADER_SIZE + "-byte header");
            }
            if (len > end - p) {
                throw malformed(at, "has an information record of type " + type + " at offset " + p + " with len " + len
                        + " but only " + (end - p) + " bytes left in the event");
            }
            FanotifyInfo info = info(batch, at, p, type, len);
            if (info != null) {
                infos.add(info);
            }
            p += len;
        }
        batch.position(end);
        return new FanotifyRecord(mask, fd, pid, infos);
    }

    private static FanotifyInfo info(ByteBuffer batch, int event, int p, int type, int len) throws MalformedRecordException {
        if (FanotifyFileIdInfo.isFileIdType(type)) {
            return fileId(batch, event, p, type, len);
        }
        if (type == Fanotify.INFO_TYPE_PIDFD) {
            requireLength(event, p, type, len, INFO_HEADER_SIZE + 4);
            return new FanotifyPidFdInfo(batch.getInt(p + 4));
        }
        if (type == Fanotify.INFO_TYPE_ERROR) {
            requireLength(event, p, type, len, INFO_HEADER_SIZE + 8);
            return new FanotifyErrorInfo(batch.getInt(p + 4), batch.getInt(p + 8));
        }
        return null;
    }

    private static FanotifyFileIdInfo fileId(ByteBuffer batch, int event, int p, int type, int len)
            throws MalformedRecordException {
        requireLength(event, p, type, len, FID_FIXED_SIZE);
        long fsid = batch.getLong(p + 4);
        long handleBytes = Integer.toUnsignedLong(batch.getInt(p + 12));
        int handleType = batch.getInt(p + 16);
        if (handleBytes > len - FID_FIXED_SIZE) {
            throw malformed(event, "has a file-id record of type " + type + " at offset " + p + " whose handle of "
                    + handleBytes + " bytes does not fit its len " + len);
        }
        byte[] handle = new byte[(int) handleBytes];
        batch.get(p + FID_FIXED_SIZE, handle, 0, handle.length);
        String name = "";
        if (FanotifyFileIdInfo.hasName(type)) {
            int nameStart = p + FID_FIXED_SIZE + handle.length;
            int nameEnd = p + len;
            int nul = nameStart;
            while (nul < nameEnd && batch.get(nul) != 0) {
                nul++;
            }
            if (nul == nameEnd) {
                throw malformed(event, "has a file-id record of type " + type + " at offset " + p
                        + " whose name is not NUL-terminated within its len " + len);
            }
            if (nul > nameStart) {
                byte[] bytes = new byte[nul - nameStart];
                batch.get(nameStart, bytes, 0, bytes.length);
                name = new String(bytes, FileNames.CHARSET);
            }
        }
        return new FanotifyFileIdInfo(type, fsid, new FileHandle(handleType, handle), name);
    }

    private static void requireLength(int event, int p, int type, int len, int min) throws MalformedRecordException {
        if (len < min) {
            throw malformed(event, "has an information record of type " + type + " at offset " + p + " with len " + len
                    + "; this type needs at least " + min + " bytes");
        }
    }

    private static MalformedRecordException malformed(int at, String what) {
        return new MalformedRecordException("fanotify event at offset " + at + " " + what);
    }
}
