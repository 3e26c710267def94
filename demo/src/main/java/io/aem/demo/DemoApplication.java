package io.aem.demo;

import io.aem.demo.httpd.AemHttpd;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Kernel events in a Spring Boot WebFlux application, on a live dashboard at
 * {@code http://localhost:8080/} ({@code demo.port}): an inbox folder it creates and watches, a
 * kernel timer and a wheel timer, user events signalled from a scheduled task, and jobs that exit
 * or fault arrive as {@code Flux}es on an AEM event loop and stream to the page as Server-Sent
 * Events, with rates, losses and loop lag. AEMhttpd serves the inbox on a second port
 * ({@code demo.httpd.port}, 8081).
 *
 * <p>Runs until stopped (Ctrl-C), or for {@code demo.run-for} when set:
 * <pre>
 * java -jar demo/target/aem-demo.jar --demo.run-for=5s
 * </pre>
 *
 * <p>With {@code httpd} as first argument it runs {@link AemHttpd} instead, without Spring:
 * <pre>
 * java -jar demo/target/aem-demo.jar httpd --port=8080 --root=/srv/www [--host=127.0.0.1] [--run-for=30s]
 * </pre>
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    /**
     * Starts the demo; it runs until stopped, or for {@code demo.run-for} when that is set.
     * A first argument {@code httpd} runs {@link AemHttpd#main} with the remaining arguments
     * instead, and returns when the server stops.
     *
     * @param args Spring Boot command-line arguments, for example {@code --demo.run-for=10s},
     *             or {@code httpd} followed by the server's arguments
     * @throws Exception if the HTTP server cannot start or is interrupted
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("httpd")) {
            AemHttpd.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(DemoApplication.class, args);
    }
}
