package io.aem.linux.bpf;

/**
 * A file as the kernel identifies it: its device and inode numbers, as {@code stat(2)} reports
 * them ({@code st_dev}, {@code st_ino}; Java: the {@code "unix:dev"} and {@code "unix:ino"}
 * attributes). Immutable.
 *
 * @param dev the device, in the user-space encoding of {@code st_dev}
 * @param ino the inode number
 */
public record FileId(long dev, long ino) {
    /**
     * The device in the kernel's internal encoding ({@code major << 20 | minor}), the one eBPF
     * programs read from {@code inode->i_sb->s_dev}.
     *
     * @return the kernel's {@code dev_t}
     */
    public long kernelDev() {
        return toKernelDev(dev);
    }

    /**
     * Converts a user-space {@code dev_t} (glibc's {@code makedev} encoding) to the kernel's
     * {@code major << 20 | minor}.
     *
     * @param dev the user-space device number
     * @return the kernel's encoding
     */
    public static long toKernelDev(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return (major << 20) | (minor & 0xfffff);
    }

    /**
     * Converts the kernel's {@code major << 20 | minor} to the user-space {@code dev_t}
     * ({@code st_dev}).
     *
     * @param kernelDev the kernel's device number
     * @return glibc's {@code makedev(major, minor)}
     */
    public static long fromKernelDev(long kernelDev) {
        long major = (kernelDev >>> 20) & 0xfff;
        long minor = kernelDev & 0xfffff;
        return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xffL) << 12);
    }
}
