package io.aem.linux.event;

/**
 * One delivery of a {@link KernelTimer}.
 *
 * @param expirations  how many times the timer expired since the previous delivery: more than 1
 *                     when ticks coalesced while the subscriber had no demand or was late (none is
 *                     ever dropped); {@code 0} on a clock-change notice
 * @param clockChanged {@code true} when this is not an expiry but a notice that the wall clock
 *                     was set ({@code TFD_TIMER_CANCEL_ON_SET}); the timer stays armed
 */
public record TimerTick(long expirations, boolean clockChanged) {
}
