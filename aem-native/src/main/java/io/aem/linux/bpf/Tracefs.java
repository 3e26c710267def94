package io.aem.linux.bpf;

import com.sun.jna.Native;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.sys.LibC;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * tracefs, which classic {@code tracepoint/...} programs need: libbpf attaches them by the
 * tracepoint's id, read from {@code /sys/kernel/tracing/events/<group>/<event>/id}. The
 * {@code tp_btf} programs need nothing of it.
 *
 * <p>When the mount point has no {@code events} directory, tracefs is mounted there (as
 * {@code mount -t tracefs nodev /sys/kernel/tracing} does) and left mounted: other tools may
 * start using it, so unmounting it later could break them; a mounted tracefs records nothing
 * until a tracer or event is enabled. Without the privilege to mount ({@code CAP_SYS_ADMIN}) the
 * caller gets a typed error naming the command to run.
 *
 * <p>Thread-safe (one mount attempt at a time in this JVM).
 */
final class Tracefs {
    private static final System.Logger LOG = System.getLogger(Tracefs.class.getName());
    /** Where the kernel expects tracefs. */
    static final Path MOUNT_POINT = Path.of("/sys/kernel/tracing");

    private Tracefs() {
    }

    /** The shell command that mounts tracefs at {@code mountPoint}. */
    static String mountCommand(Path mountPoint) {
        return "mount -t tracefs nodev " + mountPoint;
    }

    /** Whether tracefs is mounted at {@code mountPoint}: it has an {@code events} directory. */
    static boolean mounted(Path mountPoint) {
        return Files.isDirectory(mountPoint.resolve("events"));
    }

    /**
     * Mounts tracefs at {@link #MOUNT_POINT} unless it is there already.
     *
     * @param what the programs that need it, for messages
     * @throws MissingPrivilegeException         the mount was refused for lack of privilege
     * @throws UnsupportedKernelFeatureException any other failure to mount (no tracefs in this kernel, no mount point)
     */
    static void ensureMounted(String what) throws KernelException {
        ensureMounted(MOUNT_POINT, what);
    }

    /** {@link #ensureMounted(String)} at another mount point (tests). */
    static synchronized void ensureMounted(Path mountPoint, String what) throws KernelException {
        if (mounted(mountPoint)) {
            return;
        }
        String command = mountCommand(mountPoint);
        int r = LibC.mount("nodev", mountPoint.toString(), "tracefs", 0, null);
        if (r != 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EBUSY && mounted(mountPoint)) {
                return; // mounted meanwhile by someone else
            }
            if (errno == Errno.EPERM || errno == Errno.EACCES) {
                throw new MissingPrivilegeException("mount", errno, "CAP_SYS_ADMIN",
                        "the classic tracepoint programs of the " + what + " need tracefs at " + mountPoint
                                + "; run `" + command + "` as root");
            }
            throw new UnsupportedKernelFeatureException("mount", errno, "tracefs at " + mountPoint,
                    "the classic tracepoint programs of the " + what + " need it; run `" + command + "` as root");
        }
        LOG.log(Level.INFO, "mounted tracefs at " + mountPoint + " for the classic tracepoint programs of the "
                + what + "; it stays mounted");
    }
}
