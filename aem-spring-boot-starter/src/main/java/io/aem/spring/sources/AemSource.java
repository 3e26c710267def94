package io.aem.spring.sources;

import io.aem.reactor.Aem;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * One compiled source: its name, family, event type, and how to open it. Immutable and
 * thread-safe; opening costs nothing until a subscriber arrives.
 */
public final class AemSource {
    private final String name;
    private final AemSourceFamily family;
    private final Class<?> eventType;
    private final boolean publishApplicationEvents;
    private final Aem aem;
    private final Function<Aem, Flux<?>> assembly;

    AemSource(String name, AemSourceFamily family, Class<?> eventType, boolean publishApplicationEvents, Aem aem,
              Function<Aem, Flux<?>> assembly) {
        this.name = name;
        this.family = family;
        this.eventType = eventType;
        this.publishApplicationEvents = publishApplicationEvents;
        this.aem = aem;
        this.assembly = assembly;
    }

    /**
     * The source's name: the key under {@code aem.sources.<family>}, or a description of the
     * annotation that declared it inline.
     *
     * @return the name
     */
    public String name() {
        return this.name;
    }

    /**
     * The source's family.
     *
     * @return the family
     */
    public AemSourceFamily family() {
        return this.family;
    }

    /**
     * The type every event of this source has.
     *
     * @return the event type
     */
    public Class<?> eventType() {
        return this.eventType;
    }

    /**
     * Whether the starter publishes this source's events as Spring application events.
     *
     * @return the resolved setting
     */
    public boolean publishesApplicationEvents() {
        return this.publishApplicationEvents;
    }

    /**
     * The source as a cold {@link Flux}: each subscriber opens the kernel object anew (its own
     * inotify instance, timer, child process, socket, fanotify group or eBPF program) on a loop
     * chosen round-robin when this method is called, and closes it when its subscription ends.
     * Signals arrive on that loop's thread: move blocking work off it with {@code publishOn}.
     *
     * @return the events
     */
    public Flux<?> flux() {
        return this.assembly.apply(this.aem);
    }

    @Override
    public String toString() {
        return this.family.propertyName() + " source '" + this.name + "'";
    }
}
