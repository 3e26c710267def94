package io.aem.demo;

import io.aem.linux.loop.EventLoopClosedException;
import io.aem.reactor.Aem;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Schedulers;

/**
 * Shuts the application down by itself once {@code demo.run-for} has elapsed after start-up,
 * when that property is set. The application context is closed as by Ctrl-C: the demo completes
 * its streams, the event loops stop and the JVM exits.
 */
@Component
class RunForShutdown implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger logger = LoggerFactory.getLogger(RunForShutdown.class);

    private final DemoProperties properties;

    RunForShutdown(DemoProperties properties) {
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        Duration runFor = this.properties.getRunFor();
        if (runFor == null) {
            return;
        }
        ConfigurableApplicationContext context = event.getApplicationContext();
        // A one-shot kernel timer; closing the context stops the loops, so the exit runs off them.
        context.getBean(Aem.class).delay(runFor)
                .publishOn(Schedulers.boundedElastic())
                .subscribe(tick -> {
                    if (context.isActive()) {
                        logger.info("demo.run-for={} elapsed, shutting down", runFor);
                        SpringApplication.exit(context);
                    }
                }, error -> {
                    if (!(error instanceof EventLoopClosedException)) {
                        logger.warn("demo.run-for timer failed; the application keeps running", error);
                    }
                });
        logger.info("Running for {} (demo.run-for)", runFor);
    }
}
