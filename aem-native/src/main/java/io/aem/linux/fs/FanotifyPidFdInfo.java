package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;

/**
 * A pidfd information record ({@code FAN_REPORT_PIDFD}, Linux 5.15): a pidfd of the acting
 * process, owned by whoever read the event, or a negative value ({@code FAN_NOPIDFD},
 * {@code FAN_EPIDFD}) when the kernel gave none.
 *
 * @param pidfd the pidfd, or a negative value
 */
public record FanotifyPidFdInfo(int pidfd) implements FanotifyInfo {
    @Override
    public int type() {
        return Fanotify.INFO_TYPE_PIDFD;
    }
}
