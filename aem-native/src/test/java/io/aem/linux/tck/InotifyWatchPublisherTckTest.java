package io.aem.linux.tck;

import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.fs.InotifyWatchSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of an inotify directory watch.
 *
 * <p>The elements are the watch's initial listing: a directory holding {@code n - 1} files gives
 * {@code n - 1} {@code EXISTING} events and one {@code LISTING_DONE}, read under demand like any
 * live event. A watch ends only when its root goes away, so {@link #maxElementsFromPublisher()}
 * says it cannot signal completion and the TCK skips the rules that need {@code onComplete}, with
 * its own reason. Each subscription opens its own inotify instance; the class checks that every
 * fd is closed afterwards.
 */
public class InotifyWatchPublisherTckTest extends LoopPublisherVerification<FileEvent> {
    /** The most files a listing here holds; the TCK's own bounded tests ask for fewer elements. */
    private static final int MAX_FILES = 512;
    private Path root;

    @BeforeClass
    public void createTree() throws IOException {
        root = Files.createTempDirectory("aem-tck-inotify");
    }

    @AfterClass(alwaysRun = true)
    public void deleteTree() throws IOException {
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A directory whose listing gives {@code elements} events (at most {@value #MAX_FILES} + 1), made once per size. */
    private Path directoryWith(long elements) {
        int files = (int) Math.min(Math.max(elements - 1, 0), MAX_FILES);
        Path dir = root.resolve("listing-" + files);
        try {
            if (Files.notExists(dir)) {
                Files.createDirectories(dir);
                for (int i = 0; i < files; i++) {
                    Files.createFile(dir.resolve("f" + i));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    @Override
    public Flow.Publisher<FileEvent> createFlowPublisher(long elements) {
        FileWatch watch = FileWatch.directory(directoryWith(elements)).withKinds(FileEventKind.CREATE).withExistingListed(true);
        return InotifyWatchSource.publisher(loop, watch);
    }

    @Override
    public Flow.Publisher<FileEvent> createFailedFlowPublisher() {
        return InotifyWatchSource.publisher(closedLoop, FileWatch.directory(root).withExistingListed(true));
    }

    @Override
    public long maxElementsFromPublisher() {
        return publisherUnableToSignalOnComplete();
    }
}
