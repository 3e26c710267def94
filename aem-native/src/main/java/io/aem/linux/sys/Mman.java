package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Memory mappings of files ({@code mmap(2)}, {@code munmap(2)}), bound with JNA direct mapping;
 * used to map eBPF ring buffers. Results are {@code -errno} on failure, like the other wrappers
 * of this package. Thread-safe.
 */
public final class Mman {
    /** Pages may be read. */
    public static final int PROT_READ = 0x1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** Changes are shared with the kernel object mapped. */
    public static final int MAP_SHARED = 0x01;

    /** {@code (void *) -1}: the failure value of {@code mmap}. */
    private static final long MAP_FAILED = -1L;

    static {
        Native.register(Mman.class, NativeLibrary.getInstance(Platform.LIBC));
    }

    private Mman() {
    }

    private static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    private static native int munmap(Pointer addr, long length);

    private static native long sysconf(int name);

    /** The page size in bytes ({@code sysconf(_SC_PAGESIZE)}); mappings start at multiples of it. */
    public static long pageSize() {
        return sysconf(30);
    }

    /**
     * Maps {@code length} bytes of {@code fd} from {@code offset}, shared.
     *
     * @param length bytes
     * @param prot   {@link #PROT_READ}, optionally with {@link #PROT_WRITE}
     * @param fd     the file
     * @param offset a multiple of the page size
     * @return the address ({@code > 0}), or {@code -errno}
     */
    public static long mapShared(long length, int prot, int fd, long offset) {
        Pointer p = mmap(null, length, prot, MAP_SHARED, fd, offset);
        long address = Pointer.nativeValue(p);
        return address == MAP_FAILED ? -Native.getLastError() : address;
    }

    /**
     * Removes a mapping made by {@link #mapShared}.
     *
     * @param address the address returned
     * @param length  the length mapped
     * @return {@code 0} or {@code -errno}
     */
    public static int unmap(long address, long length) {
        int r = munmap(new Pointer(address), length);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
