package io.aem.linux;

/**
 * The running kernel lacks a feature: a clock, a socket family, a system call. The message
 * names the feature and, where one exists, the kernel version or module that provides it.
 */
public class UnsupportedKernelFeatureException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String feature;

    /**
     * Creates the exception.
     *
     * @param call    the call that failed
     * @param errno   its {@code errno} (typically {@code ENOSYS}, {@code EINVAL}, {@code EAFNOSUPPORT})
     * @param feature the missing feature
     * @param detail  what provides it
     */
    public UnsupportedKernelFeatureException(String call, int errno, String feature, String detail) {
        super(call, errno, feature + " is not available on this kernel; " + detail);
        this.feature = feature;
    }

    /** The missing feature. */
    public String feature() {
        return feature;
    }
}
