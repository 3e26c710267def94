package io.aem.linux.proc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What to start: the argument vector, environment, working directory, where the three standard
 * streams go, a timeout and what cancelling does. Immutable; every {@code with...} method
 * returns a changed copy and checks its argument at once, throwing
 * {@link IllegalArgumentException} (or {@link NullPointerException}) naming the field.
 *
 * <p>No shell is involved: {@code argv[0]} is the executable, used as given when it contains a
 * {@code '/'} and otherwise searched on the {@code PATH} of the child's environment (see
 * {@link ChildProcess#start}). Use {@code ProcessSpec.of("/bin/sh", "-c", script)} for a script.
 *
 * <p><b>Defaults</b>: this JVM's environment and working directory; stdin {@link Redirect#DISCARD}
 * (a child that reads stdin sees end of file instead of waiting forever), stdout and stderr
 * {@link Redirect#PIPE} (read them as {@code Flow.Publisher}s); no timeout; kill grace 5 s;
 * {@link CancelPolicy#TERMINATE}; the child stays in this JVM's process group.
 */
public final class ProcessSpec {
    /** The kill grace when none is set. */
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);

    private final List<String> argv;
    /** The environment that replaces the JVM's, or {@code null} to start from the JVM's. */
    private final Map<String, String> baseEnvironment;
    /** Additions and removals (value {@code null}) applied on top of the base, in order. */
    private final Map<String, String> environmentEdits;
    private final Path directory;
    private final Redirect stdin;
    private final Redirect stdout;
    private final Redirect stderr;
    private final Duration timeout;
    private final Duration killGrace;
    private final CancelPolicy cancelPolicy;
    private final boolean processGroup;

    private ProcessSpec(List<String> argv, Map<String, String> baseEnvironment, Map<String, String> environmentEdits,
            Path directory, Redirect stdin, Redirect stdout, Redirect stderr, Duration timeout, Duration killGrace,
            CancelPolicy cancelPolicy, boolean processGroup) {
        this.argv = argv;
        this.baseEnvironment = baseEnvironment;
        this.environmentEdits = environmentEdits;
        this.directory = directory;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.timeout = timeout;
        this.killGrace = killGrace;
        this.cancelPolicy = cancelPolicy;
        this.processGroup = processGroup;
    }

    /**
     * A spec with the defaults.
     *
     * @param argv the executable and its arguments: at least one element, no {@code null}, no NUL
     *             character, a non-empty {@code argv[0]}
     * @return the spec
     */
    public static ProcessSpec of(String... argv) {
        Objects.requireNonNull(argv, "argv");
        return of(List.of(argv));
    }

    /**
     * A spec with the defaults.
     *
     * @param argv the executable and its arguments, as for {@link #of(String...)}
     * @return the spec
     */
    public static ProcessSpec of(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        List<String> copy = List.copyOf(argv);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("argv: at least the executable is needed");
        }
        if (copy.get(0).isEmpty()) {
            throw new IllegalArgumentException("argv[0]: the executable name is empty");
        }
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argv[" + i + "]: contains a NUL character, which C strings cannot hold");
            }
        }
        return new ProcessSpec(copy, null, Map.of(), null, Redirect.DISCARD, Redirect.PIPE, Redirect.PIPE, null,
                DEFAULT_KILL_GRACE, CancelPolicy.TERMINATE, false);
    }

    /**
     * Replaces the whole environment (the JVM's is not used; earlier {@code withEnv} and
     * {@code withoutEnv} calls are dropped).
     *
     * @param environment the variables; names non-empty without {@code '='} or NUL, values without NUL
     * @return the changed copy
     */
    public ProcessSpec withEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        Map<String, String> copy = new TreeMap<>();
        environment.forEach((k, v) -> {
            checkVariable(k, v);
            copy.put(k, v);
        });
        return new ProcessSpec(argv, Collections.unmodifiableMap(copy), Map.of(), directory, stdin, stdout, stderr,
                timeout, killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets one variable on top of the environment (the JVM's unless replaced).
     *
     * @param key   the name: non-empty, without {@code '='} or NUL
     * @param value the value, without NUL
     * @return the changed copy
     */
    public ProcessSpec withEnv(String key, String value) {
        checkVariable(key, value);
        return withEdit(key, value);
    }

    /**
     * Removes one variable from the environment.
     *
     * @param key the name
     * @return the changed copy
     */
    public ProcessSpec withoutEnv(String key) {
        checkVariable(key, "");
        return withEdit(key, null);
    }

    private ProcessSpec withEdit(String key, String value) {
        Map<String, String> edits = new LinkedHashMap<>(environmentEdits);
        edits.remove(key);
        edits.put(key, value);
        return new ProcessSpec(argv, baseEnvironment, Collections.unmodifiableMap(edits), directory, stdin, stdout,
                stderr, timeout, killGrace, cancelPolicy, processGroup);
    }

    private static void checkVariable(String key, String value) {
        Objects.requireNonNull(key, "environment variable name");
        Objects.requireNonNull(value, () -> "environment: value of " + key);
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment: '" + key + "' is not a variable name (empty, or holds '=' or NUL)");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment: the value of " + key + " contains a NUL character");
        }
    }

    /**
     * Sets the working directory; it must exist when the child starts.
     *
     * @param directory the directory; a relative path is taken relative to this JVM's working directory
     * @return the changed copy
     */
    public ProcessSpec withDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        if (directory.toString().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("directory: contains a NUL character");
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory.toAbsolutePath(), stdin, stdout,
                stderr, timeout, killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets where stdin comes from.
     *
     * @param redirect {@link Redirect#PIPE}, {@link Redirect#INHERIT}, {@link Redirect#DISCARD} or {@link Redirect#readFrom}
     * @return the changed copy
     */
    public ProcessSpec withStdin(Redirect redirect) {
        Objects.requireNonNull(redirect, "stdin");
        if (redirect == Redirect.TO_STDOUT || redirect instanceof Redirect.WriteTo) {
            throw new IllegalArgumentException("stdin: " + redirect + " is for output streams");
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, redirect, stdout, stderr, timeout,
                killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets where stdout goes.
     *
     * @param redirect {@link Redirect#PIPE}, {@link Redirect#INHERIT}, {@link Redirect#DISCARD},
     *                 {@link Redirect#writeTo} or {@link Redirect#appendTo}
     * @return the changed copy
     */
    public ProcessSpec withStdout(Redirect redirect) {
        Objects.requireNonNull(redirect, "stdout");
        if (redirect == Redirect.TO_STDOUT || redirect instanceof Redirect.ReadFrom) {
            throw new IllegalArgumentException("stdout: " + redirect + " cannot be used for stdout");
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, redirect, stderr, timeout,
                killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets where stderr goes.
     *
     * @param redirect as for {@link #withStdout}, or {@link Redirect#TO_STDOUT}
     * @return the changed copy
     */
    public ProcessSpec withStderr(Redirect redirect) {
        Objects.requireNonNull(redirect, "stderr");
        if (redirect instanceof Redirect.ReadFrom) {
            throw new IllegalArgumentException("stderr: " + redirect + " is for stdin");
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, stdout, redirect, timeout,
                killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets a timeout from the start: when it passes with the child still running the child is
     * terminated ({@code SIGTERM}, then {@code SIGKILL} after the kill grace) and
     * {@link ChildProcess#timedOut()} answers {@code true}.
     *
     * @param timeout positive
     * @return the changed copy
     */
    public ProcessSpec withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, stdout, stderr, timeout,
                killGrace, cancelPolicy, processGroup);
    }

    /**
     * Sets how long a {@code SIGTERM} is given before {@code SIGKILL} (timeout,
     * {@link CancelPolicy#TERMINATE}, {@link ChildProcess#terminate()}).
     *
     * @param grace zero or positive
     * @return the changed copy
     */
    public ProcessSpec withKillGrace(Duration grace) {
        Objects.requireNonNull(grace, "killGrace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("killGrace: must not be negative, was " + grace);
        }
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, stdout, stderr, timeout,
                grace, cancelPolicy, processGroup);
    }

    /**
     * Sets what cancelling the last exit subscription before the exit does.
     *
     * @param policy the policy
     * @return the changed copy
     */
    public ProcessSpec withCancelPolicy(CancelPolicy policy) {
        Objects.requireNonNull(policy, "cancelPolicy");
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, stdout, stderr, timeout,
                killGrace, policy, processGroup);
    }

    /**
     * Whether the child leads a new process group ({@code setpgid(0, 0)} in the child). Then
     * terminal signals sent to this JVM's group do not reach it, and the timeout, the cancel
     * policy, {@link ChildProcess#terminate()} and {@link ChildProcess#kill()} signal the whole
     * group (a script's own children too) while the child is unreaped.
     *
     * @param ownGroup {@code true} for a new group
     * @return the changed copy
     */
    public ProcessSpec withProcessGroup(boolean ownGroup) {
        return new ProcessSpec(argv, baseEnvironment, environmentEdits, directory, stdin, stdout, stderr, timeout,
                killGrace, cancelPolicy, ownGroup);
    }

    /** The argument vector, {@code argv[0]} first. */
    public List<String> argv() {
        return argv;
    }

    /**
     * The environment the child will get: the JVM's (read now) or the replacement, with the
     * additions and removals applied.
     *
     * @return a new sorted map
     */
    public Map<String, String> environment() {
        Map<String, String> env = new TreeMap<>(baseEnvironment != null ? baseEnvironment : System.getenv());
        environmentEdits.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        return env;
    }

    /** The working directory, absolute, or empty for the JVM's. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** Where stdin comes from. */
    public Redirect stdin() {
        return stdin;
    }

    /** Where stdout goes. */
    public Redirect stdout() {
        return stdout;
    }

    /** Where stderr goes. */
    public Redirect stderr() {
        return stderr;
    }

    /** The timeout, or empty for none. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The grace between {@code SIGTERM} and {@code SIGKILL}. */
    public Duration killGrace() {
        return killGrace;
    }

    /** The cancel policy. */
    public CancelPolicy cancelPolicy() {
        return cancelPolicy;
    }

    /** Whether the child leads its own process group. */
    public boolean processGroup() {
        return processGroup;
    }

    @Override
    public String toString() {
        return "ProcessSpec" + argv + "[stdin " + stdin + ", stdout " + stdout + ", stderr " + stderr
                + (directory != null ? ", in " + directory : "") + (timeout != null ? ", timeout " + timeout : "")
                + ", " + cancelPolicy + "]";
    }
}
