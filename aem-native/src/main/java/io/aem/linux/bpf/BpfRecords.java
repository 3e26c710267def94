package io.aem.linux.bpf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decoders of the fixed-layout little-endian records the {@code aem-kernel} programs write (see
 * {@code kernel/src/main/bpf/aem_common.h} and each program's record struct). Pure functions:
 * a record shorter than its layout or of another type gives {@link CorruptRingBufferException};
 * strings are read up to their first NUL within their field, as UTF-8 (malformed bytes become
 * U+FFFD). Stateless and thread-safe.
 */
public final class BpfRecords {
    /** Record type of {@code struct aem_exit_record}. */
    public static final int EXIT = 1;
    /** Record type of {@code struct aem_lock_record}. */
    public static final int LOCK = 2;
    /** Record type of {@code struct aem_attr_record}. */
    public static final int ATTR = 3;
    /** Bytes of {@code struct aem_exit_record}. */
    public static final int EXIT_SIZE = 64;
    /** Bytes of {@code struct aem_lock_record}. */
    public static final int LOCK_SIZE = 80;
    /** Bytes of {@code struct aem_attr_record}. */
    public static final int ATTR_SIZE = 328;
    private static final int PATH_MAX = 256;

    /** Decodes process-exit records. */
    static final RecordDecoder<ProcessExitEvent> EXITS = RecordDecoder.of(BpfRecords::exit, ProcessExitEvent.Lost::new);

    /** Decodes file-lock records. */
    static final RecordDecoder<FileLockEvent> LOCKS = RecordDecoder.of(BpfRecords::lock, FileLockEvent.Lost::new);

    /** Decodes chmod/chown records. */
    static final RecordDecoder<AttributeChangeEvent> ATTRIBUTES =
            RecordDecoder.of(BpfRecords::attribute, AttributeChangeEvent.Lost::new);

    private BpfRecords() {
    }

    /**
     * Decodes a {@code struct aem_exit_record}.
     *
     * @param p the payload, little-endian, from position 0
     * @return the exit
     * @throws CorruptRingBufferException when it is not one
     */
    public static ProcessExitEvent.Exited exit(ByteBuffer p) throws CorruptRingBufferException {
        check(p, EXIT, EXIT_SIZE);
        return new ProcessExitEvent.Exited(p.getLong(16), p.getInt(4), p.getInt(8), p.getInt(32), p.getInt(12),
                p.getLong(24), p.getInt(36), string(p, 48, 16));
    }

    /**
     * Decodes a {@code struct aem_lock_record}.
     *
     * @param p the payload, little-endian, from position 0
     * @return the lock operation
     * @throws CorruptRingBufferException when it is not one
     */
    public static FileLockEvent.LockOperation lock(ByteBuffer p) throws CorruptRingBufferException {
        check(p, LOCK, LOCK_SIZE);
        int flags = p.getInt(68);
        return new FileLockEvent.LockOperation(p.getLong(16), p.getInt(4), p.getInt(8), p.getInt(12), p.getLong(24),
                new FileId(FileId.fromKernelDev(p.getLong(32)), p.getLong(40)), LockKind.of(flags),
                LockType.of(p.get(76) & 0xff), p.getLong(48), p.getLong(56), p.getInt(64), p.getInt(72), flags);
    }

    /**
     * Decodes a {@code struct aem_attr_record}.
     *
     * @param p the payload, little-endian, from position 0
     * @return the change
     * @throws CorruptRingBufferException when it is not one
     */
    public static AttributeChangeEvent.Change attribute(ByteBuffer p) throws CorruptRingBufferException {
        check(p, ATTR, ATTR_SIZE);
        int pathLen = (int) Math.min(p.getInt(64) & 0xffffffffL, PATH_MAX);
        return new AttributeChangeEvent.Change(p.getLong(16), p.getInt(4), p.getInt(8), p.getInt(12), p.getLong(24),
                AttributeCall.of(p.getInt(32)), p.getInt(36), string(p, 72, pathLen), p.getInt(40), p.getInt(44),
                p.getInt(48), p.getInt(52), p.getLong(56));
    }

    /** The type of a record payload, or -1 when it has fewer than 4 bytes. */
    static int type(ByteBuffer p) {
        return p.limit() < 4 ? -1 : p.getInt(0);
    }

    private static void check(ByteBuffer p, int type, int size) throws CorruptRingBufferException {
        if (p.limit() < size) {
            throw new CorruptRingBufferException("record of " + p.limit() + " bytes, expected " + size + " for type " + type);
        }
        if (p.getInt(0) != type) {
            throw new CorruptRingBufferException("record of type " + p.getInt(0) + ", expected " + type);
        }
    }

    private static String string(ByteBuffer p, int offset, int max) {
        int n = 0;
        while (n < max && p.get(offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        p.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
