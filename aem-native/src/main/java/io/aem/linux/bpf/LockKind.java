package io.aem.linux.bpf;

/** Which lock family a {@link FileLockEvent.LockOperation} belongs to, from the kernel's {@code FL_*} flags. */
public enum LockKind {
    /** {@code flock(2)}: whole-file, owned by the open file description. */
    FLOCK,
    /** {@code fcntl(F_SETLK/F_SETLKW)}: byte ranges, owned by the process. */
    POSIX,
    /** {@code fcntl(F_OFD_SETLK/F_OFD_SETLKW)}: byte ranges, owned by the open file description. */
    OFD,
    /** Anything else the tracepoints report (leases, delegations). */
    OTHER;

    static final int FL_POSIX = 1;
    static final int FL_FLOCK = 2;
    static final int FL_OFDLCK = 1024;

    /** The kind for the kernel's {@code fl_flags}. */
    static LockKind of(int flags) {
        if ((flags & FL_OFDLCK) != 0) {
            return OFD;
        }
        if ((flags & FL_POSIX) != 0) {
            return POSIX;
        }
        if ((flags & FL_FLOCK) != 0) {
            return FLOCK;
        }
        return OTHER;
    }
}
