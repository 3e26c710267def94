package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Inotify;
import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The watch specification: defaults, normalization, and refusals that name the value and the remedy. */
@ExtendWith(FdLeakCheck.class)
class FileWatchTest {

    @Test
    void pathsAreMadeAbsoluteAndNormalizedAndTheDefaultsAreAllKindsSignalNoListing() {
        FileWatch w = FileWatch.tree(Path.of("some/../dir/./x"));
        assertThat(w.path()).isEqualTo(Path.of("dir/x").toAbsolutePath());
        assertThat(w.scope()).isEqualTo(WatchScope.TREE);
        assertThat(w.kinds()).isEqualTo(FileWatch.inotifyKinds()).hasSize(14);
        assertThat(w.overflow()).isEqualTo(OverflowPolicy.SIGNAL);
        assertThat(w.existingListed()).isFalse();
        assertThat(w.movePairingGrace()).isEqualTo(Duration.ofMillis(10));
        assertThat(w.batchSize()).isEqualTo(16 * 1024);
        assertThat(FileWatch.file(Path.of("/f")).scope()).isEqualTo(WatchScope.FILE);
        assertThat(FileWatch.directory(Path.of("/d")).scope()).isEqualTo(WatchScope.DIRECTORY);
    }

    @Test
    void withMethodsReturnChangedCopiesAndEqualSpecsAreEqual() {
        FileWatch base = FileWatch.directory(Path.of("/d"));
        FileWatch changed = base.withKinds(FileEventKind.CREATE).withOverflow(OverflowPolicy.RESCAN).withExistingListed(true)
                .withMovePairingGrace(Duration.ZERO).withBatchSize(FileWatch.MIN_BATCH_SIZE);
        assertThat(base.kinds()).hasSize(14);
        assertThat(changed.kinds()).containsExactly(FileEventKind.CREATE);
        assertThat(base.withKinds(FileEventKind.DELETE, FileEventKind.CREATE, FileEventKind.DELETE).kinds())
                .containsExactly(FileEventKind.CREATE, FileEventKind.DELETE);
        assertThat(changed.batchSize()).isEqualTo(16 + 255 + 1);
        assertThat(changed).isEqualTo(FileWatch.directory(Path.of("/d")).withKinds(Set.of(FileEventKind.CREATE))
                .withOverflow(OverflowPolicy.RESCAN).withExistingListed(true).withMovePairingGrace(Duration.ZERO)
                .withBatchSize(272)).hasSameHashCodeAs(changed).isNotEqualTo(base);
        assertThat(changed.toString()).contains("DIRECTORY", "/d", "CREATE", "RESCAN", "listing");
        assertThatThrownBy(() -> changed.kinds().add(FileEventKind.DELETE)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void kindsInotifyCannotReportAreRefusedWithWhatToUseInstead() {
        FileWatch w = FileWatch.tree(Path.of("/t"));
        assertThatThrownBy(() -> w.withKinds(Set.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no event kind").hasMessageContaining("FileWatch.inotifyKinds()");
        assertThatThrownBy(() -> w.withKinds(FileEventKind.OPEN_EXEC)).hasMessageContaining("OPEN_EXEC")
                .hasMessageContaining("fanotify");
        assertThatThrownBy(() -> w.withKinds(FileEventKind.OVERFLOW)).hasMessageContaining("withOverflow");
        assertThatThrownBy(() -> w.withKinds(EnumSet.of(FileEventKind.CREATE, FileEventKind.EXISTING)))
                .hasMessageContaining("EXISTING").hasMessageContaining("withExistingListed(true)");
        assertThatThrownBy(() -> w.withKinds(EnumSet.allOf(FileEventKind.class))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGraceOrBatchOutOfRangeIsRefusedNamingTheValueAndTheRange() {
        FileWatch w = FileWatch.tree(Path.of("/t"));
        assertThatThrownBy(() -> w.withMovePairingGrace(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S").hasMessageContaining("Duration.ZERO");
        assertThatThrownBy(() -> w.withMovePairingGrace(Duration.ofSeconds(11))).hasMessageContaining("PT11S")
                .hasMessageContaining("maximum PT10S");
        assertThatThrownBy(() -> w.withBatchSize(271)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("271").hasMessageContaining("at least 272");
        assertThatThrownBy(() -> w.withBatchSize(FileWatch.MAX_BATCH_SIZE + 1)).hasMessageContaining("max_queued_events");
        assertThatThrownBy(() -> FileWatch.file(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("path");
    }

    @Test
    void theKernelIsAskedForTheChosenKindsPlusWhatTheScopeNeeds() {
        int file = InotifySession.kernelMask(FileWatch.file(Path.of("/f")).withKinds(FileEventKind.MODIFY, FileEventKind.CREATE));
        assertThat(file).isEqualTo(Inotify.IN_MODIFY | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF);
        int dir = InotifySession.kernelMask(FileWatch.directory(Path.of("/d")).withKinds(FileEventKind.CLOSE_WRITE));
        assertThat(dir).isEqualTo(Inotify.IN_CLOSE_WRITE | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF);
        int tree = InotifySession.kernelMask(FileWatch.tree(Path.of("/t")).withKinds(FileEventKind.CLOSE_WRITE));
        assertThat(tree).isEqualTo(Inotify.IN_CLOSE_WRITE | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_CREATE
                | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM | Inotify.IN_MOVED_TO);
        assertThat(InotifySession.kernelMask(FileWatch.tree(Path.of("/t")))).isEqualTo(Inotify.IN_ALL_EVENTS);
        int access = InotifySession.kernelMask(FileWatch.directory(Path.of("/d")).withKinds(FileEventKind.ACCESS));
        assertThat(access).as("own reads are bracketed by their open and close")
                .isEqualTo(Inotify.IN_ACCESS | Inotify.IN_OPEN | Inotify.IN_CLOSE_NOWRITE | Inotify.IN_DELETE_SELF
                        | Inotify.IN_MOVE_SELF);
    }
}
