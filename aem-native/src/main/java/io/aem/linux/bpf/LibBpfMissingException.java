package io.aem.linux.bpf;

import java.io.IOException;

/**
 * {@code libbpf.so.1} could not be loaded, so no eBPF program can be: install Debian's
 * {@code libbpf1} package (or the distribution's libbpf 1.x). The cause is JNA's
 * {@link UnsatisfiedLinkError} with the paths it tried.
 */
public final class LibBpfMissingException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param cause the linker error
     */
    public LibBpfMissingException(Throwable cause) {
        super(LibBpf.NAME + " cannot be loaded: install Debian's libbpf1 package (apt-get install libbpf1), "
                + "or libbpf 1.x of your distribution; " + cause.getMessage(), cause);
    }
}
