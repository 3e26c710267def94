package io.aem.spring.listener;

import io.aem.spring.sources.AemSourceFamily;
import org.springframework.context.ApplicationEvent;
import org.springframework.core.ResolvableType;
import org.springframework.core.ResolvableTypeProvider;

/**
 * An event of a declared source published as a Spring application event (with
 * {@code aem.events.publish=true} or the source's {@code publish-application-events=true}). A
 * plain {@code @EventListener} receives it, narrowed by its payload type:
 *
 * <pre>{@code
 * @EventListener
 * void onFile(AemApplicationEvent<FileEvent> event) {
 *     log.info("{} {}", event.sourceName(), event.payload().path());
 * }
 * }</pre>
 *
 * <p>Events are published from a bounded-elastic thread, one source's events in order, each after
 * the listeners of the previous one returned: a slow listener is the source's backpressure.
 *
 * @param <T> the payload type
 */
public final class AemApplicationEvent<T> extends ApplicationEvent implements ResolvableTypeProvider {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final AemSourceFamily family;
    private final transient T payload;

    /**
     * An event.
     *
     * @param publisher  the object publishing it (the starter's registry)
     * @param sourceName the name of the declared source
     * @param family     the source's family
     * @param payload    the source's event
     */
    public AemApplicationEvent(Object publisher, String sourceName, AemSourceFamily family, T payload) {
        super(publisher);
        this.sourceName = sourceName;
        this.family = family;
        this.payload = payload;
    }

    /** @return the name of the declared source the event comes from */
    public String sourceName() {
        return this.sourceName;
    }

    /** @return the source's family */
    public AemSourceFamily family() {
        return this.family;
    }

    /** @return the source's event */
    public T payload() {
        return this.payload;
    }

    /** @return {@code AemApplicationEvent<payload class>}, so listeners can narrow by payload type */
    @Override
    public ResolvableType getResolvableType() {
        return ResolvableType.forClassWithGenerics(getClass(), ResolvableType.forInstance(this.payload));
    }

    @Override
    public String toString() {
        return "AemApplicationEvent[" + this.sourceName + ": " + this.payload + "]";
    }
}
