package io.aem.linux.sys;

/**
 * Facts about the running platform that decide native layouts.
 *
 * <p>Only Linux is supported; {@link #isLinux()} lets callers (the Spring Boot starter's
 * conditions, tests) back off cleanly elsewhere without touching any native code.
 */
public final class Platform {
    /** The C library loaded by {@link LibC}. */
    static final String LIBC = "c";

    private Platform() {
    }

    /** Whether this JVM runs on Linux, from the {@code os.name} system property (read at each call; cheap). */
    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
    }

    /**
     * Whether {@code struct epoll_event} is packed on this architecture: it is on x86 and
     * x86-64 (12 bytes, data at offset 4) and not elsewhere (16 bytes, data at offset 8).
     */
    public static boolean isEpollEventPacked() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386")
                || arch.equals("i686");
    }
}
