package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The errors for a machine without kernel BTF or without {@code libbpf.so.1}, shown by a child
 * JVM in a private mount namespace ({@code unshare --mount}, root) where a tmpfs hides
 * {@code /sys/kernel/btf} or {@code /dev/null} is bound over the library.
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfEnvironmentErrorsTest {

    /** The probe in a child JVM, in a new mount namespace after {@code setup} ran there. */
    private static String probeAfter(String setup) throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private",
                "sh", "-c", setup + " && exec \"$@\"", "sh"));
        command.addAll(BpfPrivilegeTest.probeCommand());
        return BpfPrivilegeTest.run(command);
    }

    @Test
    void withoutKernelBtfTheErrorNamesIt() throws Exception {
        String out = probeAfter("mount -t tmpfs none /sys/kernel/btf");
        assertThat(out).contains("ERROR " + UnsupportedKernelFeatureException.class.getName())
                .contains("| kernel BTF (/sys/kernel/btf/vmlinux) |")
                .contains("CONFIG_DEBUG_INFO_BTF");
    }

    @Test
    void withoutLibbpfTheErrorNamesTheDebianPackage() throws Exception {
        // The file this JVM loaded, from its memory map.
        LibBpf.require();
        Path library = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .filter(name -> name.contains("/libbpf.so"))
                .map(Path::of)
                .findFirst().orElseThrow(() -> new AssertionError("libbpf is not mapped in this JVM"));
        String out = probeAfter("mount --bind /dev/null " + library);
        assertThat(out).contains("ERROR " + LibBpfMissingException.class.getName())
                .contains("libbpf.so.1 cannot be loaded: install Debian's libbpf1 package");
    }
}
