/**
 * A runnable Spring Boot WebFlux application showing kernel events as they happen on a live
 * dashboard (Server-Sent Events), next to AEMhttpd.
 */
@NullMarked
package io.aem.demo;

import org.jspecify.annotations.NullMarked;
