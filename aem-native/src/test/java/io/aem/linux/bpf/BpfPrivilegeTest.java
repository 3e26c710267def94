package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A child JVM whose capability bounding set lacks some capabilities (util-linux {@code setpriv};
 * as root, a program executed gets no capability outside the bounding set) loads the programs or
 * gets the clear error.
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfPrivilegeTest {

    /** The command that runs {@link BpfPrivilegeProbe} in a JVM like this one. */
    static List<String> probeCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                BpfPrivilegeProbe.class.getName());
    }

    /** Runs the command, expects exit 0, returns its output. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String probe(String dropped) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set", dropped));
        command.addAll(probeCommand());
        return run(command);
    }

    @Test
    void withoutBpfPerfmonAndSysAdminTheErrorNamesTheCapabilities() throws Exception {
        String out = probe("-bpf,-perfmon,-sys_admin");
        assertThat(out).contains("ERROR " + MissingPrivilegeException.class.getName())
                .contains("| CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN) |")
                .contains("EPERM");
    }

    @Test
    void bpfAndPerfmonWithoutSysAdminAreEnough() throws Exception {
        assertThat(probe("-sys_admin")).contains("LOADED");
    }

    @Test
    void bpfAloneIsNotEnough() throws Exception {
        assertThat(probe("-perfmon,-sys_admin")).contains("ERROR " + MissingPrivilegeException.class.getName());
    }
}
