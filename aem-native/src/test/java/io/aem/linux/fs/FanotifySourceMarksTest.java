package io.aem.linux.fs;

import static io.aem.linux.fs.AccessEvents.awaitEvent;
import static io.aem.linux.fs.AccessEvents.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.fs.TestFilesystems.TmpfsMount;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What each mark scope covers: a path mark a directory and its direct children, a mount mark
 * and a filesystem mark everything on a tmpfs mounted for the test (so only the test's own
 * events can appear).
 */
@ExtendWith(FdLeakCheck.class)
class FanotifySourceMarksTest {
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-marks");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @Test
    void aPathMarkOnADirectoryCoversItsChildrenButNotTheirChildren() throws Exception {
        Path dir = TestFilesystems.newDirectory(TestFilesystems.EXT4_BASE, "ext4");
        RecordingSubscriber<FileAccessEvent> sub = null;
        try {
            Path nested = Files.createDirectory(dir.resolve("nested"));
            sub = subscribe(loop, FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE), Long.MAX_VALUE);
            Files.createFile(nested.resolve("grandchild"));
            Path child = Files.createFile(dir.resolve("child"));
            awaitEvent(sub, FileEventKind.CREATE, child);
            assertThat(sub.items).extracting(FileAccessEvent::path).containsExactly(child);
        } finally {
            if (sub != null) {
                sub.cancel();
            }
            TestFilesystems.deleteTree(dir);
        }
    }

    @Test
    void aPathMarkThroughASymbolicLinkMarksTheTargetAndEventsCarryTheTargetsPath() throws Exception {
        Path dir = TestFilesystems.newDirectory(TestFilesystems.EXT4_BASE, "ext4");
        Path target = TestFilesystems.newDirectory(TestFilesystems.TMPFS_BASE, "tmpfs");
        RecordingSubscriber<FileAccessEvent> sub = null;
        try {
            Path link = Files.createSymbolicLink(dir.resolve("link"), target);
            FanotifyMark mark = FanotifyMark.path(link);
            sub = subscribe(loop, FanotifyWatch.of(mark, FileEventKind.CREATE, FileEventKind.DELETE_SELF), Long.MAX_VALUE);
            Path child = Files.createFile(link.resolve("child"));
            assertThat(awaitEvent(sub, FileEventKind.CREATE, target.resolve("child")).mark()).isEqualTo(mark);
            Files.delete(child);
            Files.delete(target);
            assertThat(awaitEvent(sub, FileEventKind.DELETE_SELF, target).mark()).isEqualTo(mark);
        } finally {
            if (sub != null) {
                sub.cancel();
            }
            TestFilesystems.deleteTree(dir);
            TestFilesystems.deleteTree(target);
        }
    }

    @Test
    void aFilesystemMarkReportsDirectoryEntryEventsAtAnyDepthWithFullPaths() throws Exception {
        try (TmpfsMount tmpfs = new TmpfsMount()) {
            FanotifyMark mark = FanotifyMark.filesystem(tmpfs.root());
            RecordingSubscriber<FileAccessEvent> sub = subscribe(loop,
                    FanotifyWatch.of(mark, FileEventKind.CREATE, FileEventKind.DELETE, FileEventKind.RENAME), Long.MAX_VALUE);
            try {
                Path deep = Files.createDirectories(tmpfs.root().resolve("a/b/c"));
                Path file = Files.createFile(deep.resolve("deep-file"));
                Path renamed = Files.move(file, tmpfs.root().resolve("a/moved"));
                Files.delete(renamed);
                FileAccessEvent created = awaitEvent(sub, FileEventKind.CREATE, file);
                assertThat(created.mark()).isEqualTo(mark);
                assertThat(awaitEvent(sub, FileEventKind.RENAME, renamed).oldPath()).isEqualTo(file);
                awaitEvent(sub, FileEventKind.DELETE, renamed);
                assertThat(awaitEvent(sub, FileEventKind.CREATE, deep).directory()).isTrue();
                assertThat(sub.items).allSatisfy(e -> assertThat(e.path()).startsWithRaw(tmpfs.root()));
                assertThat(sub.items).extracting(FileAccessEvent::pid).containsOnly((int) ProcessHandle.current().pid());
            } finally {
                sub.cancel();
            }
        }
    }

    @Test
    void aMountMarkReportsOpensAndClosesAnywhereOnTheMount() throws Exception {
        try (TmpfsMount tmpfs = new TmpfsMount()) {
            Path deep = Files.createDirectories(tmpfs.root().resolve("x/y"));
            FanotifyMark mark = FanotifyMark.mount(tmpfs.root());
            RecordingSubscriber<FileAccessEvent> sub = subscribe(loop,
                    FanotifyWatch.of(mark, FileEventKind.OPEN, FileEventKind.CLOSE_WRITE).withDirectories(false), Long.MAX_VALUE);
            try {
                Path file = deep.resolve("on-the-mount");
                Files.writeString(file, "x");
                assertThat(awaitEvent(sub, FileEventKind.OPEN, file).mark()).isEqualTo(mark);
                awaitEvent(sub, FileEventKind.CLOSE_WRITE, file);
                assertThat(sub.items).allSatisfy(e -> assertThat(e.path()).isEqualTo(file));
            } finally {
                sub.cancel();
            }
        }
    }

    @Test
    void eachEventNamesTheMarkItCameThroughWhenAWatchHasSeveral() throws Exception {
        Path dir = TestFilesystems.newDirectory(TestFilesystems.EXT4_BASE, "ext4");
        try (TmpfsMount tmpfs = new TmpfsMount()) {
            FanotifyMark onExt4 = FanotifyMark.path(dir);
            FanotifyMark onTmpfs = FanotifyMark.filesystem(tmpfs.root());
            RecordingSubscriber<FileAccessEvent> sub = subscribe(loop,
                    FanotifyWatch.of(List.of(onExt4, onTmpfs), Set.of(FileEventKind.CREATE)), Long.MAX_VALUE);
            try {
                Path a = Files.createFile(dir.resolve("a"));
                Path b = Files.createFile(Files.createDirectory(tmpfs.root().resolve("d")).resolve("b"));
                assertThat(awaitEvent(sub, FileEventKind.CREATE, a).mark()).isEqualTo(onExt4);
                assertThat(awaitEvent(sub, FileEventKind.CREATE, b).mark()).isEqualTo(onTmpfs);
            } finally {
                sub.cancel();
            }
        } finally {
            TestFilesystems.deleteTree(dir);
        }
    }
}
