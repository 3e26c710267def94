package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.fs.WatchTable.Watch;
import io.aem.linux.sys.Inotify;
import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wd ↔ directory table on its own: paths follow moves, and wds are forgotten only by IN_IGNORED. */
@ExtendWith(FdLeakCheck.class)
class WatchTableTest {
    private static final Path ROOT = Path.of("/w");

    @Test
    void childrenGetPathsBelowTheirParentAndAreFoundByWdAndByName() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        Watch a = t.add(2, root, "a");
        Watch b = t.add(3, a, "b");
        assertThat(b.path()).isEqualTo(Path.of("/w/a/b"));
        assertThat(t.get(3)).isSameAs(b);
        assertThat(t.child(a, "b")).isSameAs(b);
        assertThat(t.child(root, "b")).isNull();
        assertThat(t.size()).isEqualTo(3);
        assertThatThrownBy(() -> t.add(2, root, "again")).isInstanceOf(IllegalStateException.class).hasMessageContaining("wd 2");
    }

    @Test
    void aMoveChangesThePathsOfTheWholeSubtreeAndKeepsTheWds() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        Watch a = t.add(2, root, "a");
        Watch b = t.add(3, a, "b");
        Watch c = t.add(4, b, "c");
        Watch x = t.add(5, root, "x");
        t.move(b, x, "renamed");
        assertThat(b.path()).isEqualTo(Path.of("/w/x/renamed"));
        assertThat(c.path()).isEqualTo(Path.of("/w/x/renamed/c"));
        assertThat(t.child(a, "b")).isNull();
        assertThat(t.child(x, "renamed")).isSameAs(b);
        assertThat(t.get(4)).isSameAs(c);
        assertThatThrownBy(() -> t.move(b, c, "loop")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void detachingRemovesTheSubtreeAndTheirIgnoredRecordsDoNotRemoveAWdTheKernelGaveOutAgain() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        Watch a = t.add(2, root, "a");
        t.add(3, a, "b");
        assertThat(t.detach(a)).extracting(w -> w.wd).containsExactlyInAnyOrder(2, 3);
        assertThat(t.get(2)).isNull();
        assertThat(t.child(root, "a")).isNull();
        assertThat(t.retiredCount()).isEqualTo(2);

        // The kernel reuses wd 3 for another directory before the old watch's IN_IGNORED is read.
        Watch reused = t.add(3, root, "new");
        assertThat(t.ignored(3)).as("the retired watch's record").isNull();
        assertThat(t.get(3)).isSameAs(reused);
        assertThat(t.ignored(2)).isNull();
        assertThat(t.retiredCount()).isZero();
        assertThat(t.ignored(3)).as("the new watch's own record").isSameAs(reused);
        assertThat(t.get(3)).isNull();
        assertThat(t.child(root, "new")).isNull();
    }

    @Test
    void aWdIsForgottenAtItsIgnoredAndMayComeBackForAnotherDirectory() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        Watch a = t.add(2, root, "a");
        assertThat(t.ignored(2)).isSameAs(a);
        assertThat(t.ignored(2)).isNull();
        Watch other = t.add(2, root, "other");
        assertThat(t.get(2)).isSameAs(other);
        assertThat(other.path()).isEqualTo(Path.of("/w/other"));
    }

    @Test
    void aNewDirectoryUnderAReusedNameReplacesTheOldOneWhoseIgnoredThenLeavesItAlone() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        Watch old = t.add(2, root, "d");
        Watch fresh = t.add(3, root, "d");
        assertThat(t.child(root, "d")).isSameAs(fresh);
        assertThat(t.ignored(2)).isSameAs(old);
        assertThat(t.child(root, "d")).isSameAs(fresh);
        assertThat(fresh.parent()).isSameAs(root);
    }

    @Test
    void scannedNamesAreConsumedOnceAndOwnReadsAreLeftOutOfTheirOpenAccessAndClose() {
        WatchTable t = new WatchTable();
        Watch root = t.addRoot(1, ROOT);
        root.scanned("x");
        assertThat(root.consumeScanned("x")).isTrue();
        assertThat(root.consumeScanned("x")).isFalse();

        int open = Inotify.IN_OPEN;
        int access = Inotify.IN_ACCESS;
        int close = Inotify.IN_CLOSE_NOWRITE;
        root.ownReadStarted();
        assertThat(root.withoutOwnReads(open)).isZero();
        assertThat(root.withoutOwnReads(access)).isZero();
        assertThat(root.withoutOwnReads(access)).isZero();
        assertThat(root.withoutOwnReads(close)).isZero();
        assertThat(root.hasOwnReads()).isFalse();
        assertThat(root.withoutOwnReads(open)).as("someone else's open").isEqualTo(open);
    }
}
