/**
 * Auto-configuration of AEM for Spring Boot: the {@link io.aem.reactor.Aem} bean and its event
 * loops, configured under {@code aem.*}.
 */
@NullMarked
package io.aem.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
