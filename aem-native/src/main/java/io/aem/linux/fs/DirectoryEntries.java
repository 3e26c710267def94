package io.aem.linux.fs;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one directory's entries with their type, for the scans of a file watch. Costs one
 * {@code openat} + {@code getdents64} pass and one {@code lstat} per entry. The read queues
 * {@code IN_OPEN}, {@code IN_ACCESS} and {@code IN_CLOSE_NOWRITE} for the directory like any
 * other read; the session leaves them out. Symbolic links are entries, never followed. Loop
 * thread (or any single thread); stateless.
 */
final class DirectoryEntries {
    /** One entry: its name within the directory and whether it is a directory (not a link to one). */
    record Entry(String name, boolean directory) {
    }

    private DirectoryEntries() {
    }

    /**
     * The entries of a directory, in the order the file system gives them. An entry that vanishes
     * between the read and its {@code lstat} is left out (its deletion is reported by the watch).
     *
     * @param dir the directory
     * @return the entries, or {@code null} when the directory itself vanished or is no longer a directory
     * @throws IOException when it cannot be read, for example {@link java.nio.file.AccessDeniedException}
     */
    static List<Entry> list(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                entries.add(new Entry(p.getFileName().toString(), attrs.isDirectory()));
            }
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return null;
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return null;
            }
            throw e.getCause();
        }
        return entries;
    }
}
