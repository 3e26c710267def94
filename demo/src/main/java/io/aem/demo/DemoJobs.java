package io.aem.demo;

import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessSpec;
import io.aem.reactor.Aem;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Runs the demo's jobs as supervised children ({@link Aem#exec}: a pidfd per child, no thread)
 * and publishes each exit to the dashboard as a {@code job} event.
 */
@Component
public class DemoJobs {

    /** The job that exits with code 3. */
    public static final List<String> EXITING = List.of("sh", "-c", "exit 3");

    /** The job that faults: it sends itself SIGSEGV. */
    public static final List<String> FAULTING = List.of("sh", "-c", "kill -SEGV $$");

    private final Aem aem;
    private final DashboardEvents events;

    /**
     * Creates the runner.
     *
     * @param aem    runs the children
     * @param events receives the exits
     */
    public DemoJobs(Aem aem, DashboardEvents events) {
        this.aem = aem;
        this.events = events;
    }

    /**
     * Runs {@code sh -c 'exit 3'}; see {@link #run(List)}.
     *
     * @return the exit
     */
    public Mono<ProcessExit> runExiting() {
        return run(EXITING);
    }

    /**
     * Runs {@code sh -c 'kill -SEGV $$'}; see {@link #run(List)}.
     *
     * @return the exit
     */
    public Mono<ProcessExit> runFaulting() {
        return run(FAULTING);
    }

    /**
     * Starts the command when subscribed and emits its exit on a loop thread, after publishing it
     * as a {@code job} event. A command that cannot start is published and emitted as an error.
     *
     * @param argv the command
     * @return the exit; a non-zero code or a signal is a value
     */
    public Mono<ProcessExit> run(List<String> argv) {
        String command = describe(argv);
        return this.aem.exec(ProcessSpec.of(argv))
            .doOnNext((exit) -> this.events.publish("job", command + " (pid " + exit.pid() + ") " + describe(exit)))
            .doOnError((ex) -> this.events.publish("job", command + " failed to start: " + ex.getMessage()));
    }

    /**
     * How an exit reads on the dashboard.
     *
     * @param exit the exit
     * @return for example {@code exited with code 3} or {@code killed by signal 11 (SIGSEGV)}
     */
    public static String describe(ProcessExit exit) {
        ProcessExit.Status status = exit.status();
        if (status instanceof ProcessExit.Exited exited) {
            return "exited with code " + exited.code();
        }
        if (status instanceof ProcessExit.Killed killed) {
            return "killed by signal " + killed.signal() + signalName(killed.signal());
        }
        if (status instanceof ProcessExit.Dumped dumped) {
            return "killed by signal " + dumped.signal() + signalName(dumped.signal()) + ", core dumped";
        }
        return "ended with an unknown status";
    }

    private static String describe(List<String> argv) {
        if (argv.size() == 3 && argv.get(0).equals("sh") && argv.get(1).equals("-c")) {
            return "sh -c '" + argv.get(2) + "'";
        }
        return String.join(" ", argv);
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
