/**
 * Timers at scale: {@link io.aem.linux.timer.LoopTimers}, a hierarchical timer wheel on one
 * event loop driven by one {@code timerfd}, with {@code long} handles for the cheapest path,
 * {@link io.aem.linux.timer.WheelTimeout} for any thread, and
 * {@link io.aem.linux.timer.WheelTimer} for ticks as a backpressured {@code Flow.Publisher}.
 */
package io.aem.linux.timer;
