/**
 * A runnable Spring Boot application showing kernel events as they happen.
 */
@NullMarked
package io.aem.demo;

import org.jspecify.annotations.NullMarked;
