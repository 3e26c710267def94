package io.aem.linux.fs;

import io.aem.linux.loop.EventLoop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A subscriber to a file watch that keeps every event in arrival order (an {@code ArrayList}
 * under a lock, so that tens of thousands of events cost nothing much) and lets tests wait for
 * events with Awaitility. Requests what the test says.
 */
final class EventLog implements Flow.Subscriber<FileEvent> {
    private final List<FileEvent> events = new ArrayList<>();
    private final long initialRequest;
    /** Completes normally on {@code onComplete}, exceptionally on {@code onError}. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Completes on {@code onSubscribe}. */
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private volatile Thread deliveryThread;

    private EventLog(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** Subscribes a new log to a fresh source for the watch on the loop. */
    static EventLog watch(EventLoop loop, FileWatch watch, long initialRequest) {
        EventLog log = new EventLog(initialRequest);
        InotifyWatchSource.publisher(loop, watch).subscribe(log);
        return log;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public void onNext(FileEvent event) {
        deliveryThread = Thread.currentThread();
        synchronized (events) {
            events.add(event);
        }
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    void request(long n) {
        subscription.join().request(n);
    }

    void cancel() {
        subscription.join().cancel();
    }

    /** The thread of the last {@code onNext}. */
    Thread deliveryThread() {
        return deliveryThread;
    }

    /** A copy of the events so far. */
    List<FileEvent> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    int size() {
        synchronized (events) {
            return events.size();
        }
    }

    /** The events so far that match. */
    List<FileEvent> matching(Predicate<FileEvent> p) {
        return events().stream().filter(p).collect(Collectors.toList());
    }

    /** The events so far of these kinds. */
    List<FileEvent> of(FileEventKind... kinds) {
        List<FileEventKind> k = List.of(kinds);
        return matching(e -> k.contains(e.kind()));
    }

    /** Waits (up to 10 s) for an event that matches, and returns the first one. */
    FileEvent awaitEvent(Predicate<FileEvent> p) {
        waitUntil("an expected event", () -> events().stream().anyMatch(p));
        return events().stream().filter(p).findFirst().orElseThrow();
    }

    /** Waits for an event of this kind and path. */
    FileEvent awaitEvent(FileEventKind kind, Path path) {
        return awaitEvent(e -> e.kind() == kind && e.path().equals(path));
    }

    /** Waits (up to 10 s) until this many events arrived. */
    void awaitSize(int n) {
        waitUntil(n + " events", () -> size() >= n);
    }

    /** Waits (up to 10 s) for the end of the stream; returns the error, or {@code null} on completion. */
    Throwable awaitEnd() {
        waitUntil("the end of the stream", done::isDone);
        try {
            done.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private void waitUntil(String what, Callable<Boolean> condition) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("waited 10 s for " + what + "; " + size() + " events: " + tail()
                    + (done.isDone() ? ", stream ended" : ""), e);
        }
    }

    private String tail() {
        List<FileEvent> all = events();
        return all.size() <= 30 ? all.toString() : "... " + all.subList(all.size() - 30, all.size());
    }
}
