package io.aem.linux.testing;

import io.aem.linux.KernelException;
import io.aem.linux.event.UserEvents;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * User events shaped for the Reactive Streams TCK: a source of exactly {@code n} elements is a
 * fresh semaphore-mode {@link UserEvents} signalled {@code n} times up front and then completed
 * ({@code n} events of {@code 1}, then {@code onComplete}); for {@code Long.MAX_VALUE} it is never
 * completed. Every source made is kept, so that {@link #close()} releases the ones no
 * subscription served (rule 1.9's {@code subscribe(null)}), as {@link UserEvents#close()} says
 * their creator must.
 */
public final class TckUserEvents implements AutoCloseable {
    private final List<UserEvents> created = new CopyOnWriteArrayList<>();

    /** A source of exactly {@code elements} events, then completion (none for {@code Long.MAX_VALUE}). */
    public UserEvents ofExactly(long elements) {
        UserEvents events = create("tck-" + elements);
        if (elements > 0) {
            events.signal(elements);
        }
        if (elements != Long.MAX_VALUE) {
            events.complete();
        }
        return events;
    }

    /** A source nobody signals, for the failed publisher. */
    public UserEvents silent() {
        return create("tck-failed");
    }

    private UserEvents create(String name) {
        try {
            UserEvents events = UserEvents.createSemaphore(name);
            created.add(events);
            return events;
        } catch (KernelException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes every source made here that no subscription took. */
    @Override
    public void close() {
        created.forEach(UserEvents::close);
    }
}
