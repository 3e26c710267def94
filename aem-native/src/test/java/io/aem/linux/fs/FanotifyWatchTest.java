package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Fanotify;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A watch the kernel would refuse for its shape fails when built, naming the value and the remedy. */
class FanotifyWatchTest {
    private static final FanotifyMark DIR = FanotifyMark.path(Path.of("/tmp"));

    @Test
    void directoryEntryKindsOnAMountMarkAreRefusedSuggestingAFilesystemMark() {
        assertThatThrownBy(() -> FanotifyWatch.of(FanotifyMark.mount(Path.of("/tmp")), FileEventKind.OPEN,
                FileEventKind.CREATE, FileEventKind.RENAME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MOUNT mark (/tmp) cannot report [CREATE, RENAME]")
                .hasMessageContaining("FanotifyMark.filesystem(/tmp)");
        assertThatThrownBy(() -> FanotifyWatch.of(DIR, FileEventKind.ATTRIBUTES).withMark(FanotifyMark.mount(Path.of("/"))))
                .hasMessageContaining("[ATTRIBUTES]");
    }

    @Test
    void pathKindsOnAMountMarkAreAccepted() {
        FanotifyWatch w = FanotifyWatch.of(FanotifyMark.mount(Path.of("/tmp")), FileEventKind.ACCESS, FileEventKind.MODIFY,
                FileEventKind.OPEN, FileEventKind.OPEN_EXEC, FileEventKind.CLOSE_WRITE, FileEventKind.CLOSE_NOWRITE);
        assertThat(w.kinds()).hasSize(6);
    }

    @Test
    void kindsFanotifyDoesNotReportAreRefusedListingThoseItDoes() {
        assertThatThrownBy(() -> FanotifyWatch.of(DIR, FileEventKind.UNMOUNT))
                .hasMessageContaining("fanotify does not report UNMOUNT").hasMessageContaining("inotify")
                .hasMessageContaining("OPEN_EXEC");
        assertThatThrownBy(() -> FanotifyWatch.of(DIR, FileEventKind.OVERFLOW))
                .hasMessageContaining("always reported").hasMessageContaining("withOverflowPolicy");
        assertThatThrownBy(() -> FanotifyWatch.of(List.of(DIR), Set.of())).hasMessageContaining("at least one kind");
    }

    @Test
    void marksAreRequiredOnceEach() {
        assertThatThrownBy(() -> FanotifyWatch.of(List.of(), Set.of(FileEventKind.OPEN))).hasMessageContaining("at least one mark");
        assertThatThrownBy(() -> FanotifyWatch.of(DIR, FileEventKind.OPEN).withMark(FanotifyMark.path(Path.of("/tmp/"))))
                .hasMessageContaining("given twice");
    }

    @Test
    void theBatchMustHoldTheLargestEvent() {
        assertThatThrownBy(() -> FanotifyWatch.of(DIR, FileEventKind.OPEN).withBatchSize(1024))
                .hasMessageContaining("1024").hasMessageContaining("EINVAL");
        assertThat(FanotifyWatch.of(DIR, FileEventKind.OPEN).withBatchSize(4096).batchSize()).isEqualTo(4096);
    }

    @Test
    void theMarkMaskAddsDirectoriesAndChildrenOnlyWhereTheyApply() {
        FanotifyWatch w = FanotifyWatch.of(DIR, FileEventKind.CREATE, FileEventKind.RENAME)
                .withMark(FanotifyMark.filesystem(Path.of("/dev/shm")));
        assertThat(w.markMask(DIR)).isEqualTo(Fanotify.FAN_CREATE | Fanotify.FAN_RENAME | Fanotify.FAN_ONDIR
                | Fanotify.FAN_EVENT_ON_CHILD);
        assertThat(w.markMask(w.marks().get(1))).isEqualTo(Fanotify.FAN_CREATE | Fanotify.FAN_RENAME | Fanotify.FAN_ONDIR);
        assertThat(w.withDirectories(false).markMask(w.marks().get(1))).isEqualTo(Fanotify.FAN_CREATE | Fanotify.FAN_RENAME);
        assertThat(w.toString()).isEqualTo("fanotify PATH /tmp, FILESYSTEM /dev/shm [CREATE, RENAME]");
    }

    @Test
    void anOldPathIsOnlyForRenames() {
        assertThatThrownBy(() -> new FileAccessEvent(FileEventKind.CREATE, Path.of("/a"), Path.of("/b"), false, 1,
                java.util.Optional.empty(), DIR)).hasMessageContaining("RENAME");
    }
}
