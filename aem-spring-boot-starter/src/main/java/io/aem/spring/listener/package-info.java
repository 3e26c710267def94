/**
 * Annotated handler methods for AEM sources, in the spirit of Spring's {@code @EventListener}:
 * one annotation per source family ({@link io.aem.spring.listener.AemWatchListener},
 * {@link io.aem.spring.listener.AemTimerListener}, {@link io.aem.spring.listener.AemCommandListener},
 * {@link io.aem.spring.listener.AemProcessEventListener},
 * {@link io.aem.spring.listener.AemFanotifyListener}, {@link io.aem.spring.listener.AemPermissionListener},
 * {@link io.aem.spring.listener.AemBpfListener}),
 * the registry that subscribes them with the application context's lifecycle, their statistics,
 * and the application event that carries source events to plain {@code @EventListener}s.
 */
@NullMarked
package io.aem.spring.listener;

import org.jspecify.annotations.NullMarked;
