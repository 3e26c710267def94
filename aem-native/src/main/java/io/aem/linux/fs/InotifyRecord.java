package io.aem.linux.fs;

/**
 * One {@code struct inotify_event} as read from the kernel, before it is turned into a path
 * event: the watch it belongs to, the event bits, the cookie pairing the two halves of a move,
 * and the name of the entry within the watched directory (empty when the event is about the
 * watched object itself).
 *
 * @param wd     the watch descriptor ({@code -1} for a queue overflow)
 * @param mask   the {@code IN_*} bits of {@link io.aem.linux.sys.Inotify}
 * @param cookie pairs {@code IN_MOVED_FROM} with {@code IN_MOVED_TO}; {@code 0} otherwise
 * @param name   the entry name, without the kernel's NUL padding; empty for none
 */
public record InotifyRecord(int wd, int mask, int cookie, String name) {
    /** Whether every bit of {@code bits} is set in {@link #mask()}. */
    public boolean is(int bits) {
        return (mask & bits) == bits;
    }
}
