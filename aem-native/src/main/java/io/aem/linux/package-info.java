/**
 * AEM for Java, native half: the file-descriptor owner ({@link io.aem.linux.OwnedFd}) and the
 * typed kernel errors ({@link io.aem.linux.KernelException} and its subclasses, built in one
 * place by {@link io.aem.linux.Errno}). The event loop is in {@code io.aem.linux.loop}, the
 * source SPI in {@code io.aem.linux.source}, the sources in {@code io.aem.linux.event},
 * {@code io.aem.linux.fs} and {@code io.aem.linux.proc} (process exits through pidfds, pipes for child stdio), the JNA
 * bindings in {@code io.aem.linux.sys}. Nothing here depends on Reactor.
 */
package io.aem.linux;
