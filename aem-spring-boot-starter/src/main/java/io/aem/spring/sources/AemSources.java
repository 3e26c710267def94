package io.aem.spring.sources;

import io.aem.linux.event.TimerTick;
import io.aem.linux.fs.FileAccessEvent;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.proc.ProcEvent;
import io.aem.linux.proc.ProcessExit;
import io.aem.reactor.Aem;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import reactor.core.publisher.Flux;

/**
 * The sources declared under {@code aem.sources.<family>.<name>}, each as a cold {@link Flux} by
 * name. Every definition is checked when this bean is created, so a bad value fails the start-up
 * with an {@link InvalidConfigurationPropertyValueException} naming the property; what only the
 * kernel can judge (a missing path, a missing privilege) arrives as the stream's error when a
 * subscriber opens it.
 *
 * <pre>{@code
 * // aem.sources.watch.inbox.path=/srv/inbox, aem.sources.watch.inbox.kinds=close-write
 * sources.watch("inbox").publishOn(Schedulers.boundedElastic()).subscribe(e -> ingest(e.path()));
 * }</pre>
 *
 * <p>Thread-safe; nothing is opened until a flux is subscribed to. Names are unique across
 * families.
 */
public final class AemSources {
    private final Aem aem;
    private final boolean publishByDefault;
    private final Map<String, AemSource> sources = new LinkedHashMap<>();

    /**
     * Compiles the definitions.
     *
     * @param aem              the entry point the sources open on
     * @param definitions      the definitions by name, each of any family
     * @param publishByDefault whether sources that do not say publish their events as application events
     * @throws InvalidConfigurationPropertyValueException naming the first bad property, or a name
     *                                                    used in two families
     */
    public AemSources(Aem aem, Map<String, ? extends AemSourceProperties> definitions, boolean publishByDefault) {
        this.aem = Objects.requireNonNull(aem, "aem");
        this.publishByDefault = publishByDefault;
        definitions.forEach((name, definition) -> {
            String prefix = "aem.sources." + definition.family().propertyName() + "." + name;
            AemSource existing = this.sources.get(name);
            if (existing != null) {
                throw new InvalidConfigurationPropertyValueException(prefix, name, "The name '" + name
                        + "' is already used by the " + existing + "; source names must be unique across families.");
            }
            this.sources.put(name, compile(name, prefix, definition));
        });
    }

    /**
     * Compiles a definition that is not in the configuration, such as one an annotation gives
     * inline; it is not added to {@link #names()}.
     *
     * @param name       the name to give the source, used in messages and statistics
     * @param definition the settings
     * @return the compiled source
     * @throws InvalidConfigurationPropertyValueException naming the bad setting, reported under {@code name}
     */
    public AemSource define(String name, AemSourceProperties definition) {
        return compile(name, name, definition);
    }

    private AemSource compile(String name, String prefix, AemSourceProperties definition) {
        Boolean publish = definition.getPublishApplicationEvents();
        return new AemSource(name, definition.family(), definition.eventType(),
                publish != null ? publish : this.publishByDefault, this.aem, definition.compile(prefix));
    }

    /**
     * The names of the declared sources, in declaration order.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        return Collections.unmodifiableSet(this.sources.keySet());
    }

    /**
     * The declared sources by name, in declaration order.
     *
     * @return an unmodifiable map
     */
    public Map<String, AemSource> sources() {
        return Collections.unmodifiableMap(this.sources);
    }

    /**
     * The declared source of this name.
     *
     * @param name a declared name
     * @return the source
     * @throws NoSuchElementException naming the declared sources, if none has this name
     */
    public AemSource source(String name) {
        AemSource source = this.sources.get(name);
        if (source == null) {
            throw new NoSuchElementException("No AEM source named '" + name + "'; declared: " + this.sources.keySet()
                    + ". Declare it under aem.sources.<family>." + name + ".");
        }
        return source;
    }

    /**
     * The family of the declared source of this name.
     *
     * @param name a declared name
     * @return its family
     * @throws NoSuchElementException if no source has this name
     */
    public AemSourceFamily family(String name) {
        return source(name).family();
    }

    /**
     * The declared source of this name as a cold flux; see {@link AemSource#flux()}.
     *
     * @param name a declared name
     * @return the events, on a loop thread
     * @throws NoSuchElementException if no source has this name
     */
    public Flux<?> flux(String name) {
        return source(name).flux();
    }

    /**
     * A declared inotify watch.
     *
     * @param name the name of a source declared under {@code aem.sources.watch}
     * @return its file events
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<FileEvent> watch(String name) {
        return typed(name, AemSourceFamily.WATCH, FileEvent.class);
    }

    /**
     * A declared wheel timer.
     *
     * @param name the name of a source declared under {@code aem.sources.timer}
     * @return its ticks
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<TimerTick> timer(String name) {
        return typed(name, AemSourceFamily.TIMER, TimerTick.class);
    }

    /**
     * A declared command.
     *
     * @param name the name of a source declared under {@code aem.sources.command}
     * @return the exit of each run
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<ProcessExit> command(String name) {
        return typed(name, AemSourceFamily.COMMAND, ProcessExit.class);
    }

    /**
     * A declared process-connector subscription.
     *
     * @param name the name of a source declared under {@code aem.sources.process-events}
     * @return its process events
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<ProcEvent> processEvents(String name) {
        return typed(name, AemSourceFamily.PROCESS_EVENTS, ProcEvent.class);
    }

    /**
     * A declared fanotify watch.
     *
     * @param name the name of a source declared under {@code aem.sources.fanotify}
     * @return its file accesses
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<FileAccessEvent> fanotify(String name) {
        return typed(name, AemSourceFamily.FANOTIFY, FileAccessEvent.class);
    }

    /**
     * A declared permission source. Answer each request with {@link PermissionRequest#allow()} or
     * {@link PermissionRequest#deny()}; unanswered requests are allowed at their deadline, and
     * when the subscription ends.
     *
     * @param name the name of a source declared under {@code aem.sources.permissions}
     * @return its requests
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family
     */
    public Flux<PermissionRequest> permissions(String name) {
        return typed(name, AemSourceFamily.PERMISSIONS, PermissionRequest.class);
    }

    /**
     * A declared eBPF source, typed by its program: {@code ProcessExitEvent},
     * {@code FileLockEvent} or {@code AttributeChangeEvent}.
     *
     * @param name the name of a source declared under {@code aem.sources.bpf}
     * @param type the event type of its program
     * @param <T>  the event type
     * @return its events
     * @throws NoSuchElementException if no source has this name
     * @throws IllegalArgumentException if the source is of another family or program
     */
    public <T> Flux<T> bpf(String name, Class<T> type) {
        return typed(name, AemSourceFamily.BPF, type);
    }

    private <T> Flux<T> typed(String name, AemSourceFamily family, Class<T> type) {
        AemSource source = source(name);
        if (source.family() != family || !type.isAssignableFrom(source.eventType())) {
            throw new IllegalArgumentException("'" + name + "' is a " + source + " of " + source.eventType().getName()
                    + ", not a " + family.propertyName() + " source of " + type.getName());
        }
        return source.flux().cast(type);
    }

    @Override
    public String toString() {
        return "AemSources" + this.sources.values();
    }
}
