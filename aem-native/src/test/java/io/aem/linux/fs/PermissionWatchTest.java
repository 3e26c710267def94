package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.sys.Fanotify;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PermissionWatchTest {
    private static final FanotifyMark MARK = FanotifyMark.path(Path.of("/srv/data"));

    @Test
    void opensAreAskedForWithAOneSecondDeadlineAndFilesOnlyByDefault() {
        PermissionWatch w = PermissionWatch.opens(MARK);
        assertThat(w.kinds()).containsExactly(PermissionKind.OPEN);
        assertThat(w.deadline()).isEqualTo(Duration.ofSeconds(1)).isEqualTo(PermissionWatch.DEFAULT_DEADLINE);
        assertThat(w.directories()).isFalse();
        assertThat(w.marks()).containsExactly(MARK);
    }

    @Test
    void aDeadlineThatIsNotPositiveIsRefusedNamingTheValueAndTheRemedy() {
        assertThatThrownBy(() -> PermissionWatch.opens(MARK).withDeadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive, was PT0S")
                .hasMessageContaining("Duration.ofMillis(500)");
        assertThatThrownBy(() -> PermissionWatch.opens(MARK).withDeadline(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was PT-0.005S");
    }

    @Test
    void aWatchNeedsAMarkAndAKind() {
        assertThatThrownBy(() -> PermissionWatch.opens()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one mark").hasMessageContaining("FanotifyMark.path");
        assertThatThrownBy(() -> PermissionWatch.of(List.of(MARK), Set.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one kind").hasMessageContaining("OPEN_EXEC");
        assertThatThrownBy(() -> PermissionWatch.of(List.of(MARK), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theMaskHoldsTheKindsDirectoriesAndChildrenOfAPathMark() {
        PermissionWatch w = PermissionWatch.opens(MARK).withKinds(PermissionKind.ACCESS, PermissionKind.OPEN_EXEC);
        assertThat(w.mask(MarkScope.PATH)).isEqualTo(Fanotify.FAN_ACCESS_PERM | Fanotify.FAN_OPEN_EXEC_PERM | Fanotify.FAN_EVENT_ON_CHILD);
        assertThat(w.mask(MarkScope.MOUNT)).isEqualTo(Fanotify.FAN_ACCESS_PERM | Fanotify.FAN_OPEN_EXEC_PERM);
        assertThat(w.withDirectories(true).mask(MarkScope.FILESYSTEM))
                .isEqualTo(Fanotify.FAN_ACCESS_PERM | Fanotify.FAN_OPEN_EXEC_PERM | Fanotify.FAN_ONDIR);
    }

    @Test
    void kindsAreReadBackFromAnEventMask() {
        for (PermissionKind k : PermissionKind.values()) {
            assertThat(PermissionKind.ofMask(k.bit() | Fanotify.FAN_ONDIR)).isEqualTo(k);
        }
        assertThat(PermissionKind.ofMask(Fanotify.FAN_Q_OVERFLOW)).isNull();
        assertThat(PermissionKind.OPEN_EXEC.since()).isEqualTo("Linux 5.0");
    }

    @Test
    void watchesAreValuesAndCopiesDoNotShareState() {
        EnumSet<PermissionKind> kinds = EnumSet.of(PermissionKind.OPEN);
        PermissionWatch w = PermissionWatch.of(List.of(MARK), kinds);
        kinds.add(PermissionKind.ACCESS);
        assertThat(w.kinds()).containsExactly(PermissionKind.OPEN);
        assertThat(w).isEqualTo(PermissionWatch.opens(MARK));
        assertThat(w.withDeadline(Duration.ofMillis(10))).isNotEqualTo(w);
        assertThatThrownBy(() -> w.kinds().add(PermissionKind.ACCESS)).isInstanceOf(UnsupportedOperationException.class);
    }
}
