package io.aem.linux.bpf;

/** The chmod- and chown-family system calls reported by {@link AttributeChangeEvent.Change}, with their x86-64 numbers. */
public enum AttributeCall {
    /** {@code chmod(path, mode)}. */
    CHMOD(90, true),
    /** {@code fchmod(fd, mode)}. */
    FCHMOD(91, true),
    /** {@code chown(path, uid, gid)}. */
    CHOWN(92, false),
    /** {@code fchown(fd, uid, gid)}. */
    FCHOWN(93, false),
    /** {@code lchown(path, uid, gid)}: the link itself. */
    LCHOWN(94, false),
    /** {@code fchownat(dirfd, path, uid, gid, flags)}. */
    FCHOWNAT(260, false),
    /** {@code fchmodat(dirfd, path, mode)}. */
    FCHMODAT(268, true),
    /** {@code fchmodat2(dirfd, path, mode, flags)} (Linux 6.6). */
    FCHMODAT2(452, true),
    /** A number this version does not know. */
    OTHER(-1, false);

    private final int number;
    private final boolean changesMode;

    AttributeCall(int number, boolean changesMode) {
        this.number = number;
        this.changesMode = changesMode;
    }

    /** The x86-64 system call number, -1 for {@link #OTHER}. */
    public int number() {
        return number;
    }

    /** Whether the call sets mode bits (rather than ownership). */
    public boolean changesMode() {
        return changesMode;
    }

    /** The call for an x86-64 system call number. */
    static AttributeCall of(int number) {
        for (AttributeCall c : values()) {
            if (c.number == number) {
                return c;
            }
        }
        return OTHER;
    }
}
