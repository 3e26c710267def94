package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.sys.LibC;
import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounting tracefs for the classic tracepoint programs (root): onto an empty directory it is
 * mounted and then found mounted; a mount point that does not exist gives a typed error naming
 * the mount command. The system's /sys/kernel/tracing is not touched here.
 */
@ExtendWith(FdLeakCheck.class)
class TracefsTest {
    @TempDir
    Path dir;

    @Test
    void mountsTracefsWhereItIsMissingAndFindsItThereAfterwards() throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("tracing"));
        assertThat(Tracefs.mounted(mountPoint)).isFalse();
        Tracefs.ensureMounted(mountPoint, "test programs");
        try {
            assertThat(Tracefs.mounted(mountPoint)).isTrue();
            assertThat(mountPoint.resolve("events/sched/sched_process_exit/id")).isRegularFile();
            Tracefs.ensureMounted(mountPoint, "test programs"); // already there: nothing to do
        } finally {
            assertThat(LibC.umount2(mountPoint.toString(), 0)).isZero();
        }
        assertThat(Tracefs.mounted(mountPoint)).isFalse();
    }

    @Test
    void aMountThatFailsNamesTheCommand() {
        Path missing = dir.resolve("no-such-directory");
        assertThatThrownBy(() -> Tracefs.ensureMounted(missing, "test programs"))
                .isInstanceOf(UnsupportedKernelFeatureException.class)
                .hasMessageContaining("mount -t tracefs nodev " + missing)
                .hasMessageContaining("ENOENT");
    }

    @Test
    void theSystemMountPointIsUsable() throws Exception {
        Tracefs.ensureMounted("test programs");
        assertThat(Tracefs.mounted(Tracefs.MOUNT_POINT)).isTrue();
    }
}
