package io.aem.linux;

/**
 * The kernel refused because a limit is reached; the message names the limit, its current
 * value and how to raise it (for example {@code RLIMIT_NOFILE}, {@code fs.file-max},
 * {@code fs.inotify.max_user_watches}).
 */
public class ResourceLimitException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String limit;
    private final String currentValue;

    /**
     * Creates the exception.
     *
     * @param call         the call that failed
     * @param errno        its {@code errno}
     * @param limit        the name of the limit, as an operator would set it
     * @param currentValue the limit's value now, as read at failure time ({@code "unknown"} if unreadable)
     * @param remedy       what to do, in one sentence
     */
    public ResourceLimitException(String call, int errno, String limit, String currentValue, String remedy) {
        super(call, errno, "limit " + limit + " reached (current value " + currentValue + "); " + remedy);
        this.limit = limit;
        this.currentValue = currentValue;
    }

    /** The limit's name, for example {@code "RLIMIT_NOFILE"}. */
    public String limit() {
        return limit;
    }

    /** The limit's value when the failure happened, as text. */
    public String currentValue() {
        return currentValue;
    }
}
