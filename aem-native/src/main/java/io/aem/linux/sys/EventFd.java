package io.aem.linux.sys;

import com.sun.jna.Native;

/**
 * {@code eventfd(2)} constants and creation. Reads and writes are 8-byte counters done with
 * {@link Io#read} and {@link Io#write}.
 */
public final class EventFd {
    /** {@code EFD_SEMAPHORE}: each read returns 1 and decrements the counter by 1. */
    public static final int EFD_SEMAPHORE = 1;
    /** {@code EFD_NONBLOCK}. */
    public static final int EFD_NONBLOCK = 0x800;
    /** {@code EFD_CLOEXEC}. */
    public static final int EFD_CLOEXEC = 0x80000;
    /** The largest value the counter holds ({@code 0xfffffffffffffffe}), as an unsigned long. */
    public static final long MAX_COUNT = 0xfffffffffffffffeL;

    private EventFd() {
    }

    /** {@code eventfd(0, flags)}: the new fd or {@code -errno}. */
    public static int create(int flags) {
        int r = LibC.eventfd(0, flags);
        return r >= 0 ? r : -Native.getLastError();
    }
}
