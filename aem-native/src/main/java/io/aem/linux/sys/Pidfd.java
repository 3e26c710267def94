package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Process file descriptors: {@code pidfd_open(2)}, {@code pidfd_send_signal(2)} and
 * {@code waitid(P_PIDFD, ...)}, returning {@code -errno}.
 *
 * <p>The two pidfd calls go through {@code syscall(2)} (numbers 434 and 424, the same on every
 * 64-bit architecture), so the binding does not need glibc 2.36's wrappers. {@code siginfo_t}
 * (128 bytes) is read by offset, checked on x86-64 with a C program: {@code si_code} at 8,
 * {@code si_pid} at 16, {@code si_status} at 24.
 *
 * <p>Kernel requirements: {@code pidfd_open} Linux 5.3, {@code waitid(P_PIDFD)} Linux 5.4.
 */
public final class Pidfd {
    /** {@code __NR_pidfd_open}. */
    public static final int SYS_PIDFD_OPEN = 434;
    /** {@code __NR_pidfd_send_signal}. */
    public static final int SYS_PIDFD_SEND_SIGNAL = 424;
    /** {@code PIDFD_NONBLOCK} (= {@code O_NONBLOCK}); pidfds are always close-on-exec. */
    public static final int PIDFD_NONBLOCK = 0x800;
    /** {@code P_PID}: {@code waitid} by pid. */
    public static final int P_PID = 1;
    /** {@code P_PIDFD}: {@code waitid} by pidfd. */
    public static final int P_PIDFD = 3;
    /** {@code WNOHANG}. */
    public static final int WNOHANG = 1;
    /** {@code WEXITED}. */
    public static final int WEXITED = 4;
    /** {@code CLD_EXITED}: {@code si_status} is the exit code. */
    public static final int CLD_EXITED = 1;
    /** {@code CLD_KILLED}: {@code si_status} is the signal that killed the process. */
    public static final int CLD_KILLED = 2;
    /** {@code CLD_DUMPED}: killed by {@code si_status}, and a core dump was written. */
    public static final int CLD_DUMPED = 3;
    /** Size of {@code siginfo_t}. */
    public static final int SIGINFO_SIZE = 128;
    /** Offset of {@code si_code} in {@code siginfo_t}. */
    public static final int SI_CODE = 8;
    /** Offset of {@code si_pid} in {@code siginfo_t}. */
    public static final int SI_PID = 16;
    /** Offset of {@code si_status} in {@code siginfo_t}. */
    public static final int SI_STATUS = 24;
    /** {@code POLLIN}. */
    public static final short POLLIN = 1;

    private Pidfd() {
    }

    /** {@code pidfd_open(pid, flags)}: the pidfd or {@code -errno}. */
    public static int open(int pid, int flags) {
        long r = LibC.syscall(SYS_PIDFD_OPEN, pid, flags, 0, 0);
        return r >= 0 ? (int) r : -Native.getLastError();
    }

    /** {@code pidfd_send_signal(pidfd, sig, NULL, 0)}: {@code 0} or {@code -errno}. */
    public static int sendSignal(int pidfd, int sig) {
        long r = LibC.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * {@code waitid(idtype, id, info, options)}; {@code info}'s {@code si_pid} is cleared first,
     * so that {@code si_pid == 0} after a {@code WNOHANG} call means "not yet".
     *
     * @return {@code 0} or {@code -errno}
     */
    public static int waitid(int idtype, int id, Pointer info, int options) {
        info.setInt(SI_PID, 0);
        info.setInt(SI_CODE, 0);
        int r = LibC.waitid(idtype, id, info, options);
        return r == 0 ? 0 : -Native.getLastError();
    }

    /**
     * Whether the pidfd is readable now, that is the process has exited ({@code poll} with a zero
     * timeout), using 8 bytes at {@code scratch} for the {@code struct pollfd}.
     *
     * @return {@code 1} readable, {@code 0} not yet, or {@code -errno}
     */
    public static int exited(int pidfd, Pointer scratch) {
        scratch.setInt(0, pidfd);
        scratch.setShort(4, POLLIN);
        scratch.setShort(6, (short) 0);
        int r = LibC.poll(scratch, 1, 0);
        if (r < 0) {
            return -Native.getLastError();
        }
        return r > 0 && (scratch.getShort(6) & POLLIN) != 0 ? 1 : 0;
    }
}
