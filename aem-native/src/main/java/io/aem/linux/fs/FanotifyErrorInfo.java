package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;

/**
 * A filesystem-error information record ({@code FAN_FS_ERROR}, Linux 5.16).
 *
 * @param error      the first error's {@code errno}
 * @param errorCount how many errors happened since the last report
 */
public record FanotifyErrorInfo(int error, int errorCount) implements FanotifyInfo {
    @Override
    public int type() {
        return Fanotify.INFO_TYPE_ERROR;
    }
}
