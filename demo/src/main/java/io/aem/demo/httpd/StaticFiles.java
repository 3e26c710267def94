package io.aem.demo.httpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps request targets to files under a root directory, with no way out of it.
 *
 * <p><b>Mapping.</b> The target's path (query and fragment dropped) is percent-decoded as UTF-8
 * and resolved against the root: {@code /a/b.txt} is {@code root/a/b.txt}.
 *
 * <p><b>No path escape.</b> 400 for a target that is not origin-form ({@code /...}), a bad percent
 * encoding, invalid UTF-8 or a NUL; 403 for any {@code ..} segment (also when percent-encoded,
 * since the check runs after decoding), an absolute path after the leading slash ({@code //etc}),
 * a normalized path outside the root, a real path ({@link Path#toRealPath}, symlinks resolved)
 * outside the root's real path, a directory, or anything not a regular file; 404 when missing.
 *
 * <p><b>Cache.</b> Files up to {@value #CACHED_FILE_MAX} bytes are kept in memory, up to
 * {@value #CACHE_TOTAL_MAX} bytes in all, keyed by real path and revalidated at every request by
 * size and modification time (the lookup stats the file anyway); a changed file is re-read. Once
 * the total is reached, further files are read from disk each time. Larger files are never read
 * whole: {@link StaticFile#content()} is {@code null} and the server streams them.
 *
 * <p><b>Threading and cost.</b> Not thread-safe: used on the server's loop thread. A lookup does
 * blocking file-system calls (stat, realpath, and a read for a file entering the cache); on a
 * local file system these take microseconds.
 */
public final class StaticFiles {
    /** The largest file kept in memory, in bytes. */
    public static final int CACHED_FILE_MAX = 64 * 1024;
    /** The most bytes kept in memory in all. */
    public static final long CACHE_TOTAL_MAX = 32L * 1024 * 1024;

    private final Path root;
    private final Map<Path, CachedFile> cache = new HashMap<>();
    private long cachedBytes;

    /**
     * Serves the files under a directory.
     *
     * @param root the directory; resolved to its real path now
     * @throws NoSuchFileException   if it does not exist
     * @throws NotDirectoryException if it is not a directory
     * @throws IOException           if its real path cannot be read
     */
    public StaticFiles(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new NotDirectoryException(root + ": the static root must be a directory; pass --root=<directory>");
        }
        this.root = real;
    }

    /** The root's real path. */
    public Path root() {
        return root;
    }

    /**
     * Finds the file a request target names.
     *
     * @param target the request target as received (percent-encoded)
     * @return the file to send (status 200) or the status to answer; never throws
     */
    public StaticFile resolve(String target) {
        String decoded = decodePath(target);
        if (decoded == null) {
            return StaticFile.failed(400);
        }
        String relative = decoded.substring(1);
        if (relative.startsWith("/")) {
            return StaticFile.failed(403);
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.equals("..")) {
                return StaticFile.failed(403);
            }
        }
        Path candidate;
        try {
            candidate = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            return StaticFile.failed(400);
        }
        if (!candidate.startsWith(root)) {
            return StaticFile.failed(403);
        }
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(root)) {
                return StaticFile.failed(403);
            }
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return StaticFile.failed(403);
            }
            String type = ContentTypes.of(real.getFileName() == null ? "" : real.getFileName().toString());
            long size = attributes.size();
            long modified = attributes.lastModifiedTime().toMillis();
            return new StaticFile(200, real, size, type, cached(real, size, modified));
        } catch (NoSuchFileException e) {
            return StaticFile.failed(404);
        } catch (AccessDeniedException e) {
            return StaticFile.failed(403);
        } catch (IOException | SecurityException e) {
            return StaticFile.failed(404);
        }
    }

    private byte @Nullable [] cached(Path real, long size, long modified) throws IOException {
        if (size > CACHED_FILE_MAX) {
            return null;
        }
        CachedFile entry = cache.get(real);
        if (entry != null && entry.size == size && entry.modified == modified) {
            return entry.content;
        }
        if (entry != null) {
            cache.remove(real);
            cachedBytes -= entry.content.length;
        }
        byte[] content = Files.readAllBytes(real);
        if (content.length != size) {
            return null; // changed while read: send it from disk this time
        }
        if (cachedBytes + content.length <= CACHE_TOTAL_MAX) {
            cache.put(real, new CachedFile(content, size, modified));
            cachedBytes += content.length;
        }
        return content;
    }

    /** The decoded path of an origin-form target, starting with {@code /}; {@code null} when unacceptable. */
    static @Nullable String decodePath(String target) {
        int end = target.length();
        int query = target.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int fragment = target.indexOf('#');
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        if (end == 0 || target.charAt(0) != '/') {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(end);
        for (int i = 0; i < end; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= end) {
                    return null;
                }
                int high = Character.digit(target.charAt(i + 1), 16);
                int low = Character.digit(target.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                c = (char) (high * 16 + low);
                i += 2;
            }
            if (c == 0 || c > 0xff) {
                return null;
            }
            bytes.write(c);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private record CachedFile(byte[] content, long size, long modified) {
    }
}
