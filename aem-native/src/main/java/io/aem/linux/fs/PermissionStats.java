package io.aem.linux.fs;

/**
 * The counters of a {@link PermissionSource}, summed over its subscriptions: what the kernel
 * asked and who answered. A snapshot: each value is read on its own, so a request answered while
 * the snapshot is taken may be counted as pending and as answered.
 *
 * <p>Every request read is eventually answered exactly once, so once nothing is pending
 * {@code received == allowed + denied + allowedAtDeadline + allowedAtEnd}.
 *
 * @param received          requests read from the kernel
 * @param allowed           allowed by a subscriber ({@link PermissionRequest#allow()})
 * @param denied            denied by a subscriber ({@link PermissionRequest#deny()})
 * @param allowedAtDeadline allowed by the deadline keeper because nobody answered within the
 *                          deadline: the subscriber was slow, had no demand, or dropped the request
 * @param allowedAtEnd      allowed because the subscription ended (cancel, error, a subscriber
 *                          that threw, loop shutdown) while they waited
 * @param pending           read and not answered yet; each holds one fd of this process and one
 *                          waiting thread somewhere in the system
 * @param queueOverflows    {@code FAN_Q_OVERFLOW} records: the kernel's queue was full, and the
 *                          kernel allowed the requests it could not queue without asking
 */
public record PermissionStats(long received, long allowed, long denied, long allowedAtDeadline, long allowedAtEnd,
        long pending, long queueOverflows) {
}
