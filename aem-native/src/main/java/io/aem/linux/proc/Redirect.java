package io.aem.linux.proc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one of a child's standard streams (fd 0, 1 or 2) goes, set on a {@link ProcessSpec}.
 *
 * <ul>
 *   <li>{@link #PIPE}: a pipe to this JVM, read with {@link ChildProcess#stdout()} /
 *       {@link ChildProcess#stderr()} or written with {@link ChildProcess#feedStdin}.</li>
 *   <li>{@link #INHERIT}: the JVM's own fd 0, 1 or 2.</li>
 *   <li>{@link #DISCARD}: {@code /dev/null} (reads see end of file, writes vanish).</li>
 *   <li>{@link #readFrom(Path)} (stdin only), {@link #writeTo(Path)} and {@link #appendTo(Path)}
 *       (stdout and stderr): a file, opened by this JVM before the spawn so that a missing or
 *       unwritable file fails {@link ChildProcess#start} with the file's name.</li>
 *   <li>{@link #TO_STDOUT} (stderr only): the same file as stdout ({@code 2>&1}).</li>
 * </ul>
 */
public sealed interface Redirect permits Redirect.Standard, Redirect.ReadFrom, Redirect.WriteTo {
    /** A pipe to this JVM. */
    Redirect PIPE = Standard.PIPE;
    /** The JVM's own stream. */
    Redirect INHERIT = Standard.INHERIT;
    /** {@code /dev/null}. */
    Redirect DISCARD = Standard.DISCARD;
    /** For stderr: wherever stdout goes ({@code 2>&1}). */
    Redirect TO_STDOUT = Standard.TO_STDOUT;

    /**
     * Stdin read from a file, which must exist and be readable when the child starts.
     *
     * @param file the file
     * @return the redirect
     */
    static Redirect readFrom(Path file) {
        return new ReadFrom(file);
    }

    /**
     * Stdout or stderr written to a file, created if missing (mode 0666 less the umask) and
     * truncated if present.
     *
     * @param file the file
     * @return the redirect
     */
    static Redirect writeTo(Path file) {
        return new WriteTo(file, false);
    }

    /**
     * Stdout or stderr appended to a file, created if missing.
     *
     * @param file the file
     * @return the redirect
     */
    static Redirect appendTo(Path file) {
        return new WriteTo(file, true);
    }

    /** The redirects that need no file. */
    enum Standard implements Redirect {
        /** See {@link Redirect#PIPE}. */
        PIPE,
        /** See {@link Redirect#INHERIT}. */
        INHERIT,
        /** See {@link Redirect#DISCARD}. */
        DISCARD,
        /** See {@link Redirect#TO_STDOUT}. */
        TO_STDOUT
    }

    /**
     * Stdin from a file.
     *
     * @param file the file
     */
    record ReadFrom(Path file) implements Redirect {
        /** Checks the argument. */
        public ReadFrom {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * Output to a file.
     *
     * @param file   the file
     * @param append {@code true} to append, {@code false} to truncate
     */
    record WriteTo(Path file, boolean append) implements Redirect {
        /** Checks the argument. */
        public WriteTo {
            Objects.requireNonNull(file, "file");
        }
    }
}
