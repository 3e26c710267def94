/**
 * TCP on the event loop: {@link io.aem.linux.net.TcpListener} (accept driven by demand),
 * {@link io.aem.linux.net.TcpConnection} (connect, receive with demand as {@code EPOLLIN}
 * interest, a borrowed no-allocation receive, bounded writes under {@code EPOLLOUT}, half-close,
 * close, reset), IPv4 and IPv6, with typed errors naming the address and the remedy.
 *
 * <p>Backpressure is end to end: a receiver without demand stops reading, its kernel receive
 * buffer fills, TCP's window closes, the sender's kernel send buffer fills, its writes answer
 * {@code EAGAIN}, its bounded write queue fills, and {@code write} answers {@code false} or
 * {@code send} stops requesting. Every fd is owned by one object and closed once on its loop.
 */
package io.aem.linux.net;
