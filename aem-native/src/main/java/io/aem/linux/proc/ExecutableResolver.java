package io.aem.linux.proc;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the file to execute for {@code argv[0]}, as {@code execvp} would but in Java and before
 * the spawn, so that the error names the file and the {@code PATH} searched.
 */
final class ExecutableResolver {
    /** glibc's {@code execvp} search path when {@code PATH} is unset. */
    static final String DEFAULT_PATH = "/bin:/usr/bin";

    private ExecutableResolver() {
    }

    /**
     * Resolves the executable.
     *
     * @param name        {@code argv[0]}: used as given (relative to {@code directory}) when it contains a {@code '/'}, else searched on {@code PATH}
     * @param environment the child's environment, whose {@code PATH} is searched
     * @param directory   the child's working directory, or {@code null} for the JVM's
     * @return the absolute path of a regular, executable file
     * @throws NoSuchFileException   nothing of that name exists (the message names the {@code PATH} searched)
     * @throws AccessDeniedException the name is a directory or a file without execute permission
     */
    static Path resolve(String name, Map<String, String> environment, Path directory)
            throws NoSuchFileException, AccessDeniedException {
        Path base = directory != null ? directory : Path.of("").toAbsolutePath();
        if (name.indexOf('/') >= 0) {
            Path file = base.resolve(name);
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString(), null, "no such executable");
            }
            String refusal = refusal(file);
            if (refusal != null) {
                throw new AccessDeniedException(file.toString(), null, refusal);
            }
            return file;
        }
        String path = environment.getOrDefault("PATH", DEFAULT_PATH);
        Path denied = null;
        String deniedReason = null;
        for (String entry : path.split(":", -1)) {
            Path file = base.resolve(entry.isEmpty() ? "." : entry).resolve(name);
            if (!Files.exists(file)) {
                continue;
            }
            String refusal = refusal(file);
            if (refusal == null) {
                return file;
            }
            if (denied == null) {
                denied = file;
                deniedReason = refusal;
            }
        }
        if (denied != null) {
            throw new AccessDeniedException(denied.toString(), null, deniedReason + " (found searching PATH " + path + ")");
        }
        throw new NoSuchFileException(name, null, "no executable of this name on PATH " + path
                + (environment.containsKey("PATH") ? "" : " (the default: the child's environment has no PATH)")
                + "; give an absolute path or fix PATH");
    }

    private static String refusal(Path file) {
        if (Files.isDirectory(file)) {
            return "is a directory, not an executable";
        }
        if (!Files.isRegularFile(file)) {
            return "not a regular file, cannot be executed";
        }
        if (!Files.isExecutable(file)) {
            return "not executable: chmod +x it, or run it through its interpreter";
        }
        return null;
    }
}
