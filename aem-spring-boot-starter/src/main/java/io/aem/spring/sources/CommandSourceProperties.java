package io.aem.spring.sources;

import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessSpec;
import io.aem.reactor.Aem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A declared supervised command ({@code aem.sources.command.<name>.*}): each subscriber starts
 * the command and receives its {@link ProcessExit}; with a restart policy the command is started
 * again after each exit that calls for it, and the source emits one exit per run. Children are
 * supervised through pidfds on a loop, with no thread per child; their output is discarded (see
 * {@link Aem#exec(ProcessSpec)}). Cancelling a subscription terminates the running child.
 */
public class CommandSourceProperties extends AemSourceProperties {

    /**
     * The program and its arguments, for example /bin/sh,-c,exit 3. The program is looked up on
     * the PATH when it has no slash. Required.
     */
    private List<String> argv = new ArrayList<>();

    /**
     * Working directory of the command. Unset means the application's.
     */
    private @Nullable Path directory;

    /**
     * Environment variables added to (or replacing) the application's for the command.
     */
    private Map<String, String> environment = new LinkedHashMap<>();

    /**
     * Longest a run may take before it is terminated (SIGTERM, then SIGKILL). Unset means no limit.
     */
    private @Nullable Duration timeout;

    /**
     * When the command is started again: never (one exit, then the source completes), always,
     * or on-failure (after a non-zero exit or a signal).
     */
    private Restart restart = Restart.NEVER;

    /**
     * Time between an exit and the restart it calls for.
     */
    private Duration restartDelay = Duration.ofSeconds(1);

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.COMMAND;
    }

    public List<String> getArgv() {
        return this.argv;
    }

    public void setArgv(List<String> argv) {
        this.argv = argv;
    }

    public @Nullable Path getDirectory() {
        return this.directory;
    }

    public void setDirectory(@Nullable Path directory) {
        this.directory = directory;
    }

    public Map<String, String> getEnvironment() {
        return this.environment;
    }

    public void setEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    public @Nullable Duration getTimeout() {
        return this.timeout;
    }

    public void setTimeout(@Nullable Duration timeout) {
        this.timeout = timeout;
    }

    public Restart getRestart() {
        return this.restart;
    }

    public void setRestart(Restart restart) {
        this.restart = restart;
    }

    public Duration getRestartDelay() {
        return this.restartDelay;
    }

    public void setRestartDelay(Duration restartDelay) {
        this.restartDelay = restartDelay;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        if (this.argv.isEmpty() || this.argv.get(0) == null || this.argv.get(0).isBlank()) {
            throw invalid(prefix, "argv", this.argv, "A command needs at least the program, for example"
                    + " argv=/bin/sh,-c,exit 3.");
        }
        ProcessSpec spec;
        try {
            spec = ProcessSpec.of(this.argv);
            Path dir = this.directory;
            if (dir != null) {
                spec = spec.withDirectory(dir);
            }
            for (Map.Entry<String, String> e : this.environment.entrySet()) {
                spec = spec.withEnv(e.getKey(), e.getValue());
            }
        } catch (IllegalArgumentException e) {
            throw invalid(prefix, "argv", this.argv, e.getMessage());
        }
        Duration limit = this.timeout;
        if (limit != null) {
            if (limit.isNegative() || limit.isZero()) {
                throw invalid(prefix, "timeout", limit, "The timeout must be positive; leave it unset for no limit.");
            }
            spec = spec.withTimeout(limit);
        }
        if (this.restartDelay.isNegative()) {
            throw invalid(prefix, "restart-delay", this.restartDelay, "The restart delay must not be negative.");
        }
        ProcessSpec command = spec;
        Restart policy = this.restart;
        Duration delay = this.restartDelay;
        return aem -> {
            Mono<ProcessExit> once = aem.exec(command);
            if (policy == Restart.NEVER) {
                return once.flux();
            }
            Mono<ProcessExit> again = delay.isZero() ? once : aem.wheelDelay(delay).then(once);
            return once.expand(exit -> policy.restartsAfter(exit) ? again : Mono.empty());
        };
    }

    /**
     * When a declared command is started again.
     */
    public enum Restart {
        /** Never: the source emits one exit and completes. */
        NEVER,
        /** After every exit. */
        ALWAYS,
        /** After an exit that is not a success (a non-zero code or a signal). */
        ON_FAILURE;

        boolean restartsAfter(ProcessExit exit) {
            return this == ALWAYS || (this == ON_FAILURE && !exit.isSuccess());
        }
    }
}
