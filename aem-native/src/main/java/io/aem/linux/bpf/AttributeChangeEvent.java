package io.aem.linux.bpf;

import java.util.Optional;

/**
 * An event of the chmod/chown stream ({@code tp_btf/sys_enter} and {@code sys_exit}, x86-64).
 * Immutable.
 */
public sealed interface AttributeChangeEvent {

    /**
     * A chmod- or chown-family system call returned.
     *
     * @param timestampNanos {@code CLOCK_MONOTONIC} ns at the call's entry, as {@link System#nanoTime()}
     * @param tid            the calling thread
     * @param pid            the calling process
     * @param uid            the caller's real uid
     * @param cgroupId       the caller's cgroup v2 id
     * @param call           which system call
     * @param fd             the fd ({@code fchmod}, {@code fchown}) or directory fd ({@code *at}: -100 is
     *                       {@code AT_FDCWD}); -1 for the plain path calls
     * @param path           the path argument as the caller passed it (relative to {@code fd} for
     *                       {@code *at} calls), at most 255 bytes; empty for fd calls
     * @param mode           the new mode bits for the chmod family, -1 for chown
     * @param newUid         the new owner for the chown family; -1 means unchanged (and for chmod)
     * @param newGid         the new group; -1 means unchanged (and for chmod)
     * @param flags          the {@code *at} flags ({@code AT_SYMLINK_NOFOLLOW}, {@code AT_EMPTY_PATH})
     * @param result         0, or the {@code -errno} the call returned
     */
    record Change(long timestampNanos, int tid, int pid, int uid, long cgroupId, AttributeCall call, int fd,
                  String path, int mode, int newUid, int newGid, int flags, long result)
            implements AttributeChangeEvent {
        /** Whether the call succeeded. */
        public boolean succeeded() {
            return result == 0;
        }

        /** The new mode, for the chmod family. */
        public Optional<Integer> newMode() {
            return call.changesMode() ? Optional.of(mode) : Optional.empty();
        }
    }

    /**
     * The ring buffer was full: the kernel dropped {@code count} calls.
     *
     * @param count how many, at least 1
     */
    record Lost(long count) implements AttributeChangeEvent {
    }
}
