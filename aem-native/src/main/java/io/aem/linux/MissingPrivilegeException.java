package io.aem.linux;

/**
 * The kernel refused for lack of privilege; the message names the capability (or limit) that
 * would allow the operation, for example {@code CAP_WAKE_ALARM}, {@code CAP_SYS_NICE} or
 * {@code CAP_SYS_ADMIN}.
 */
public class MissingPrivilegeException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String privilege;

    /**
     * Creates the exception.
     *
     * @param call      the call that failed
     * @param errno     its {@code errno} ({@code EPERM} or {@code EACCES})
     * @param privilege the capability or limit that would allow the call
     * @param detail    what was attempted and how to grant the privilege
     */
    public MissingPrivilegeException(String call, int errno, String privilege, String detail) {
        super(call, errno, "needs " + privilege + "; " + detail);
        this.privilege = privilege;
    }

    /** The capability or limit that would allow the call. */
    public String privilege() {
        return privilege;
    }
}
