/**
 * JNA direct-mapped bindings and thin wrappers that return {@code -errno} instead of throwing,
 * one small class per kernel concept (epoll, eventfd, timerfd, pipes, clocks, scheduling). Layouts are
 * written and read by offset, per architecture; no JNA {@code Structure} is used on a hot path.
 * These are low-level building blocks: most code should use the sources and the event loop.
 */
package io.aem.linux.sys;
