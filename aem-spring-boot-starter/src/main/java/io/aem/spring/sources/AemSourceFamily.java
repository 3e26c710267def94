package io.aem.spring.sources;

import io.aem.linux.event.TimerTick;
import io.aem.linux.fs.FileAccessEvent;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.proc.ProcEvent;
import io.aem.linux.proc.ProcessExit;

/**
 * The families of declared sources: what kernel interface a source reads, under which property
 * prefix it is declared, and the type of its events.
 */
public enum AemSourceFamily {
    /** inotify watches of a file, a directory or a tree: {@link FileEvent}s. */
    WATCH("watch", FileEvent.class),
    /** Periodic timers on a loop's timer wheel: {@link TimerTick}s. */
    TIMER("timer", TimerTick.class),
    /** A supervised command, optionally restarted: one {@link ProcessExit} per run. */
    COMMAND("command", ProcessExit.class),
    /** The kernel's process connector: {@link ProcEvent}s of every process of the system. */
    PROCESS_EVENTS("process-events", ProcEvent.class),
    /** fanotify marks: {@link FileAccessEvent}s with the acting process. */
    FANOTIFY("fanotify", FileAccessEvent.class),
    /**
     * fanotify permission events: {@link PermissionRequest}s to allow or deny while the accessing
     * process waits; every request a subscription still holds when it ends is allowed.
     */
    PERMISSIONS("permissions", PermissionRequest.class),
    /**
     * eBPF programs: process exits, file locks or attribute changes; the event type depends on
     * the program (see {@link AemSource#eventType()}).
     */
    BPF("bpf", Object.class);

    private final String propertyName;
    private final Class<?> eventType;

    AemSourceFamily(String propertyName, Class<?> eventType) {
        this.propertyName = propertyName;
        this.eventType = eventType;
    }

    /**
     * The family's segment of the property names: sources of this family are declared under
     * {@code aem.sources.<propertyName>.<name>}.
     *
     * @return the segment, for example {@code process-events}
     */
    public String propertyName() {
        return this.propertyName;
    }

    /**
     * The type every event of the family has; {@code Object} for {@link #BPF}, whose sources
     * each have a narrower type.
     *
     * @return the event type
     */
    public Class<?> eventType() {
        return this.eventType;
    }
}
