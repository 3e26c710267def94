/**
 * The event sources: user events on eventfd ({@link io.aem.linux.event.UserEvents}) and kernel
 * timers on timerfd ({@link io.aem.linux.event.KernelTimer}).
 */
package io.aem.linux.event;
