package io.aem.jmh;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * A C library function that makes no system call, bound the way {@link io.aem.linux.sys.LibC}
 * binds its functions (JNA direct mapping, three arguments like {@code write}), to measure what a
 * JNA call costs by itself.
 */
final class NoSyscall {
    static {
        Native.register(NoSyscall.class, NativeLibrary.getInstance("c"));
    }

    private NoSyscall() {
    }

    /** {@code void *memchr(const void *s, int c, size_t n)}; with {@code n == 0} it returns at once. */
    static native Pointer memchr(Pointer s, int c, long n);
}
