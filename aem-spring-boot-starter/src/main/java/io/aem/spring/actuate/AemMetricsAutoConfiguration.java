package io.aem.spring.actuate;

import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of AEM's Micrometer meters
 * ({@link AemMetrics}), configured under {@code aem.metrics}.
 *
 * <p>Active when Micrometer is on the class path and both an {@link Aem} and a
 * {@link MeterRegistry} bean exist; Spring Boot's metrics auto-configuration then binds the
 * {@link AemMetrics} bean to the registry. Backs off when the application defines its own
 * {@link AemMetrics} bean.
 */
@AutoConfiguration(after = AemAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, Aem.class})
@ConditionalOnBean({Aem.class, MeterRegistry.class})
@EnableConfigurationProperties(AemMetricsProperties.class)
public final class AemMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AemMetrics aemMetrics(Aem aem, AemMetricsProperties properties) {
        return new AemMetrics(aem, positive(properties.getRefreshInterval(), "aem.metrics.refresh-interval"),
                positive(properties.getLagProbeInterval(), "aem.metrics.lag-probe-interval"));
    }

    private static Duration positive(Duration interval, String property) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new InvalidConfigurationPropertyValueException(property, interval, "The interval must be positive.");
        }
        return interval;
    }
}
