/**
 * Observability of AEM for Spring Boot: the {@code aem} health contributor (loops alive, kernel
 * limits in use, losses) and Micrometer meters per event loop and per source. Each part is
 * active only when its library (Spring Boot's health module, Micrometer) is on the class path
 * and an {@link io.aem.reactor.Aem} bean exists.
 */
@NullMarked
package io.aem.spring.actuate;

import org.jspecify.annotations.NullMarked;
