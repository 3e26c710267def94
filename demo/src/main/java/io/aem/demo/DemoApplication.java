package io.aem.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Kernel events in a Spring Boot application: a periodic kernel timer and user events signalled
 * from a scheduled task arrive as {@code Flux}es on an AEM event loop and are logged, with the
 * loop's stream counters.
 *
 * <p>Runs until stopped (Ctrl-C), or for {@code aem.demo.run-for} when set:
 * <pre>
 * java -jar demo/target/aem-demo.jar --aem.demo.run-for=5s
 * </pre>
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    /**
     * Starts the demo; it runs until stopped, or for {@code aem.demo.run-for} when that is set.
     *
     * @param args Spring Boot command-line arguments, for example {@code --aem.demo.run-for=10s}
     */
    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }
}
