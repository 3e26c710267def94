/**
 * AEMhttpd: a single-threaded HTTP/1.1 server built only on the project's TCP socket events.
 *
 * <p>One event loop thread accepts connections under demand, reads each connection one chunk at
 * a time from the loop's borrowed read buffer, parses request heads in place
 * ({@link io.aem.demo.httpd.HttpRequestParser}), and writes the responses in request order
 * through the connection's bounded write queue, reading no further while that queue is full.
 * Run it with {@code java -jar demo/target/aem-demo.jar httpd --port=8080 --root=/srv/www}.
 */
@NullMarked
package io.aem.demo.httpd;

import org.jspecify.annotations.NullMarked;
