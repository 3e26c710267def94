package io.aem.spring.actuate;

import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code aem} health contributor
 * ({@link AemHealthIndicator}), configured under {@code aem.health}.
 *
 * <p>Active when Spring Boot's health module is on the class path, an {@link Aem} bean exists
 * and {@code management.health.aem.enabled} is not {@code false}; backs off when the
 * application defines its own {@code aemHealthIndicator} bean.
 */
@AutoConfiguration(after = AemAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({Health.class, Aem.class})
@ConditionalOnBean(Aem.class)
@ConditionalOnEnabledHealthIndicator("aem")
@EnableConfigurationProperties(AemHealthProperties.class)
public final class AemHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "aemHealthIndicator")
    AemHealthIndicator aemHealthIndicator(Aem aem, AemHealthProperties properties) {
        double ratio = properties.getLimitWarningRatio();
        if (!(ratio > 0 && ratio <= 1)) {
            throw new InvalidConfigurationPropertyValueException("aem.health.limit-warning-ratio", ratio,
                    "The ratio must be greater than 0 and at most 1.");
        }
        return new AemHealthIndicator(aem, ratio);
    }
}
