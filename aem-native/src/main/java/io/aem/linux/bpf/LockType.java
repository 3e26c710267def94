package io.aem.linux.bpf;

/** The type of a lock request, the kernel's {@code F_RDLCK}, {@code F_WRLCK}, {@code F_UNLCK}. */
public enum LockType {
    /** Shared ({@code F_RDLCK}, {@code LOCK_SH}). */
    READ,
    /** Exclusive ({@code F_WRLCK}, {@code LOCK_EX}). */
    WRITE,
    /** Release ({@code F_UNLCK}, {@code LOCK_UN}, or a close that drops the locks). */
    UNLOCK,
    /** A value the kernel uses internally (for example a lease being broken). */
    OTHER;

    /** The type for the kernel's {@code fl_type}. */
    static LockType of(int type) {
        switch (type) {
            case 0:
                return READ;
            case 1:
                return WRITE;
            case 2:
                return UNLOCK;
            default:
                return OTHER;
        }
    }
}
