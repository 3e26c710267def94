package io.aem.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The folder the demo watches and AEMhttpd serves, created at start-up ({@code demo.inbox}, by
 * default {@code aem-demo-inbox} under {@code java.io.tmpdir}).
 */
@Component
public class InboxFolder {

    private final Path path;
    private final AtomicLong created = new AtomicLong();

    /**
     * Creates the folder, and its parents, when missing.
     *
     * @param properties where the folder is
     * @throws IOException if it cannot be created
     */
    public InboxFolder(DemoProperties properties) throws IOException {
        this.path = properties.inboxOrDefault();
        Files.createDirectories(this.path);
    }

    /**
     * The folder.
     *
     * @return an absolute path
     */
    public Path path() {
        return this.path;
    }

    /**
     * Writes a new small text file into the folder ({@code note-N-MILLIS.txt}). Blocking file I/O:
     * call it off the event loops and off the web server's threads.
     *
     * @return the file written
     * @throws IOException if it cannot be written
     */
    public Path createFile() throws IOException {
        long n = this.created.incrementAndGet();
        Path file = this.path.resolve("note-" + n + "-" + System.currentTimeMillis() + ".txt");
        Files.writeString(file, "Written by the AEM demo at " + Instant.now() + "\n", StandardCharsets.UTF_8);
        return file;
    }
}
