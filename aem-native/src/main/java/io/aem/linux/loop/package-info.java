/**
 * The epoll event loop: one thread, level-triggered {@code epoll_wait}, an eventfd wake-up, tasks
 * from other threads, registrations confined to the loop thread, and the counters of every live
 * stream ({@link io.aem.linux.loop.StreamStats}).
 */
package io.aem.linux.loop;
