package io.aem.demo.httpd;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What a static-file lookup found: a status, and for 200 the file to send.
 *
 * @param status      200 when a regular file inside the root was found, else 400, 403 or 404
 * @param path        the file's real path (inside the root); {@code null} unless 200
 * @param size        the file's size in bytes at lookup time
 * @param contentType the {@code content-type} from the file name's extension
 * @param content     the whole file when it is cached in memory, else {@code null} (send it in chunks)
 */
public record StaticFile(int status, @Nullable Path path, long size, String contentType, byte @Nullable [] content) {

    /** A lookup that found nothing to send. */
    static StaticFile failed(int status) {
        return new StaticFile(status, null, 0, "text/plain", null);
    }
}
