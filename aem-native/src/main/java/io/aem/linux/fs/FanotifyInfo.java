package io.aem.linux.fs;

/**
 * One information record that follows {@code struct fanotify_event_metadata} in an event read
 * from a fanotify fd: a file id (with or without a name), a pidfd, or a filesystem error.
 * Records of types this decoder does not know are skipped by their length and do not appear.
 */
public sealed interface FanotifyInfo permits FanotifyFileIdInfo, FanotifyPidFdInfo, FanotifyErrorInfo {
    /** The {@code info_type}, one of the {@code INFO_TYPE_*} constants of {@link io.aem.linux.sys.Fanotify}. */
    int type();
}
