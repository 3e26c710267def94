package io.aem.linux.bpf;

/**
 * An event of the file-lock stream ({@code tp_btf/flock_lock_inode},
 * {@code tp_btf/posix_lock_inode}). Immutable.
 */
public sealed interface FileLockEvent {

    /**
     * A lock was asked for or released; {@code result} is the kernel's answer.
     *
     * @param timestampNanos {@code CLOCK_MONOTONIC} ns, as {@link System#nanoTime()}
     * @param tid            the calling thread
     * @param pid            the calling process
     * @param uid            the caller's real uid
     * @param cgroupId       the caller's cgroup v2 id
     * @param file           the locked file (device and inode)
     * @param kind           flock, POSIX or OFD
     * @param type           read, write or unlock
     * @param start          the first byte of the range (0 for flock)
     * @param end            the last byte, inclusive; {@link Long#MAX_VALUE} means to the end of the file
     * @param result         0 granted, {@code -EAGAIN} (-11) refused by a conflicting lock,
     *                       1 the caller waits ({@code FILE_LOCK_DEFERRED}), another {@code -errno}
     * @param ownerPid       the pid the kernel records as the lock's owner
     * @param flags          the kernel's {@code FL_*} flags of the request
     */
    record LockOperation(long timestampNanos, int tid, int pid, int uid, long cgroupId, FileId file, LockKind kind,
                         LockType type, long start, long end, int result, int ownerPid, int flags)
            implements FileLockEvent {
        /** Whether the kernel granted the request (for an unlock: performed it). */
        public boolean granted() {
            return result == 0;
        }
    }

    /**
     * The ring buffer was full: the kernel dropped {@code count} lock events.
     *
     * @param count how many, at least 1
     */
    record Lost(long count) implements FileLockEvent {
    }
}
