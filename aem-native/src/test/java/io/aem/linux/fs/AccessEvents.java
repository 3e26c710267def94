package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.RecordingSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** Subscribing to fanotify watches and waiting for their events, for the tests of this package. */
final class AccessEvents {
    private AccessEvents() {
    }

    /**
     * Subscribes and returns once the source is open (its marks are in place), failing the test
     * if opening failed.
     */
    static RecordingSubscriber<FileAccessEvent> subscribe(EventLoop loop, FanotifyWatch watch, long initialDemand) {
        RecordingSubscriber<FileAccessEvent> sub = subscribeRaw(loop, watch, initialDemand);
        assertThat(sub.error()).as("error opening %s", watch).isNull();
        return sub;
    }

    /** Subscribes and returns once the loop has run the open, whatever its outcome. */
    static RecordingSubscriber<FileAccessEvent> subscribeRaw(EventLoop loop, FanotifyWatch watch, long initialDemand) {
        RecordingSubscriber<FileAccessEvent> sub = new RecordingSubscriber<>(initialDemand);
        FanotifySource.publisher(loop, watch).subscribe(sub);
        LoopProbe.drainTasks(loop);
        return sub;
    }

    /** Waits up to five seconds for an event that matches, and returns the first such. */
    static FileAccessEvent awaitEvent(RecordingSubscriber<FileAccessEvent> sub, Predicate<FileAccessEvent> matching) {
        try {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                    .failFast("the stream ended", () -> sub.done.isDone())
                    .until(() -> sub.items.stream().anyMatch(matching));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("no matching event within 5 s; received " + sub.items
                    + (sub.done.isDone() ? ", then the stream ended with " + sub.error() : ""), e);
        }
        return sub.items.stream().filter(matching).findFirst().orElseThrow();
    }

    /** Waits for an event of a kind on a path. */
    static FileAccessEvent awaitEvent(RecordingSubscriber<FileAccessEvent> sub, FileEventKind kind, Path path) {
        return awaitEvent(sub, e -> e.kind() == kind && path.equals(e.path()));
    }
}
