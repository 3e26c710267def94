package io.aem.spring.sources;

import io.aem.reactor.Aem;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import reactor.core.publisher.Flux;

/**
 * What every declared source has, whatever its family: whether its events are also published as
 * Spring application events. Subclasses hold the family's own settings; they are mutable beans
 * bound from {@code aem.sources.<family>.<name>.*} (or filled from an annotation's attributes)
 * and are read once, when the source is compiled.
 */
public abstract class AemSourceProperties {

    /**
     * Whether the events of this source are also published as Spring application events
     * (AemApplicationEvent), so that a plain @EventListener receives them. Unset means the value
     * of aem.events.publish.
     */
    private @Nullable Boolean publishApplicationEvents;

    AemSourceProperties() {
    }

    /**
     * Whether this source's events are published as application events; {@code null} follows
     * {@code aem.events.publish}.
     *
     * @return the setting, or {@code null} when unset
     */
    public @Nullable Boolean getPublishApplicationEvents() {
        return this.publishApplicationEvents;
    }

    /**
     * Sets whether this source's events are published as application events.
     *
     * @param publishApplicationEvents the setting, or {@code null} to follow {@code aem.events.publish}
     */
    public void setPublishApplicationEvents(@Nullable Boolean publishApplicationEvents) {
        this.publishApplicationEvents = publishApplicationEvents;
    }

    /**
     * The family of the source these properties declare.
     *
     * @return the family
     */
    public abstract AemSourceFamily family();

    /**
     * The type of the events; the family's unless narrower.
     *
     * @return the event type
     */
    Class<?> eventType() {
        return family().eventType();
    }

    /**
     * Checks every setting and returns how to assemble the source's flux on an {@link Aem}.
     *
     * @param prefix the name the settings are reported under, for example {@code aem.sources.watch.inbox}
     * @return the assembly; each application makes a new cold flux
     * @throws InvalidConfigurationPropertyValueException naming the first bad setting and the remedy
     */
    abstract Function<Aem, Flux<?>> compile(String prefix);

    static InvalidConfigurationPropertyValueException invalid(String prefix, String property, @Nullable Object value,
                                                              String reason) {
        return new InvalidConfigurationPropertyValueException(prefix + "." + property, value, reason);
    }
}
