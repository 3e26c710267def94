/**
 * The event sources: user events on eventfd ({@link io.aem.linux.event.UserEvents}) and kernel
 * timers on timerfd ({@link io.aem.linux.event.KernelTimer}), one timerfd per timer with its own
 * clock. Millions of monotonic timers on one timerfd are in {@link io.aem.linux.timer}.
 */
package io.aem.linux.event;
