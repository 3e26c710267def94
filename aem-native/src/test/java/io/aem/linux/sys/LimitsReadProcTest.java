package io.aem.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class LimitsReadProcTest {

    /** What {@code cat} prints: one read(2) with a big buffer. */
    private static String cat(String path) throws Exception {
        Process p = new ProcessBuilder("cat", path).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        return out;
    }

    @Test
    void aSysctlOfSeveralDigitsIsReadWhole() throws Exception {
        for (String sysctl : new String[] {"/proc/sys/fs/inotify/max_queued_events", "/proc/sys/fs/inotify/max_user_watches",
            "/proc/sys/fs/file-max", "/proc/sys/fs/nr_open"}) {
            assertThat(Limits.readProc(sysctl)).as(sysctl).isEqualTo(cat(sysctl)).hasSizeGreaterThan(1);
        }
    }

    @Test
    void aMissingFileReadsAsUnknown() {
        assertThat(Limits.readProc("/proc/sys/no/such/limit")).isEqualTo("unknown");
    }
}
