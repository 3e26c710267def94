/**
 * Event sources declared in configuration ({@code aem.sources.<family>.<name>.*}): their
 * definitions and the {@link io.aem.spring.sources.AemSources} bean that gives each one as a cold
 * {@link reactor.core.publisher.Flux} by name.
 */
@NullMarked
package io.aem.spring.sources;

import org.jspecify.annotations.NullMarked;
