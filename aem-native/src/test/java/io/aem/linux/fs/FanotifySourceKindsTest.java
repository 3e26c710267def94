package io.aem.linux.fs;

import static io.aem.linux.fs.AccessEvents.awaitEvent;
import static io.aem.linux.fs.AccessEvents.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind a fanotify watch reports, with its path, directory flag, pid and mark, on ext4 and
 * on tmpfs (each test directory's filesystem is checked in mountinfo).
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class FanotifySourceKindsTest {
    private static EventLoop loop;

    /** The filesystems every kind is checked on. */
    enum Fs {
        EXT4(TestFilesystems.EXT4_BASE, "ext4"),
        TMPFS(TestFilesystems.TMPFS_BASE, "tmpfs");

        final Path base;
        final String type;

        Fs(Path base, String type) {
            this.base = base;
            this.type = type;
        }
    }

    private Path dir;
    private RecordingSubscriber<FileAccessEvent> sub;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("fanotify-kinds");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @AfterEach
    void cancelAndDelete() throws Exception {
        if (sub != null) {
            sub.cancel();
        }
        TestFilesystems.deleteTree(dir);
    }

    private Path directoryOn(Fs fs) throws Exception {
        dir = TestFilesystems.newDirectory(fs.base, fs.type);
        return dir;
    }

    private void watch(FanotifyWatch watch) {
        sub = subscribe(loop, watch, Long.MAX_VALUE);
    }

    private FileAccessEvent expect(FileEventKind kind, Path path, boolean directory) {
        FileAccessEvent e = awaitEvent(sub, kind, path);
        assertThat(e.directory()).as("directory flag of %s", e).isEqualTo(directory);
        assertThat(e.oldPath()).isNull();
        return e;
    }

    private static int self() {
        return (int) ProcessHandle.current().pid();
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void readingAFileIsAnAccessByThisProcessThroughThePathMark(Fs fs) throws Exception {
        Path file = Files.writeString(directoryOn(fs).resolve("read-me"), "content");
        FanotifyMark mark = FanotifyMark.path(dir);
        watch(FanotifyWatch.of(mark, FileEventKind.ACCESS));
        Files.readAllBytes(file);
        FileAccessEvent e = expect(FileEventKind.ACCESS, file, false);
        assertThat(e.pid()).isEqualTo(self());
        assertThat(e.executable()).isEqualTo(ProcessHandle.current().info().command().map(Path::of));
        assertThat(e.mark()).isEqualTo(mark);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void writingAFileIsAModify(Fs fs) throws Exception {
        Path file = Files.createFile(directoryOn(fs).resolve("write-me"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.MODIFY));
        Files.writeString(file, "more", StandardOpenOption.APPEND);
        expect(FileEventKind.MODIFY, file, false);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void changingModeOrTimesOfAFileOrDirectoryIsAnAttributesChange(Fs fs) throws Exception {
        Path file = Files.createFile(directoryOn(fs).resolve("chmod-me"));
        Path subdir = Files.createDirectory(dir.resolve("touch-me"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.ATTRIBUTES));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(subdir, FileTime.fromMillis(1_000_000));
        expect(FileEventKind.ATTRIBUTES, file, false);
        expect(FileEventKind.ATTRIBUTES, subdir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void openingAFileOrListingADirectoryIsAnOpen(Fs fs) throws Exception {
        Path file = Files.writeString(directoryOn(fs).resolve("open-me"), "x");
        Path subdir = Files.createDirectory(dir.resolve("list-me"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.OPEN));
        Files.readAllBytes(file);
        try (var entries = Files.list(subdir)) {
            assertThat(entries.count()).isZero();
        }
        expect(FileEventKind.OPEN, file, false);
        expect(FileEventKind.OPEN, subdir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void runningAProgramFromTheDirectoryIsAnOpenExecByThatProcess(Fs fs) throws Exception {
        Path program = Files.copy(Path.of("/bin/true"), directoryOn(fs).resolve("true-copy"));
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.OPEN_EXEC));
        Process p = new ProcessBuilder(program.toString()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        FileAccessEvent e = expect(FileEventKind.OPEN_EXEC, program, false);
        assertThat(e.pid()).isEqualTo((int) p.pid());
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void closingAFileOpenedForWritingIsACloseWrite(Fs fs) throws Exception {
        Path file = directoryOn(fs).resolve("written");
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CLOSE_WRITE));
        Files.writeString(file, "x");
        expect(FileEventKind.CLOSE_WRITE, file, false);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void closingAFileOpenedForReadingIsACloseNowrite(Fs fs) throws Exception {
        Path file = Files.writeString(directoryOn(fs).resolve("read"), "x");
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CLOSE_NOWRITE));
        Files.readAllBytes(file);
        expect(FileEventKind.CLOSE_NOWRITE, file, false);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void creatingAFileOrADirectoryIsACreate(Fs fs) throws Exception {
        directoryOn(fs);
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE));
        Path file = Files.createFile(dir.resolve("new-file"));
        Path subdir = Files.createDirectory(dir.resolve("new-dir"));
        expect(FileEventKind.CREATE, file, false);
        expect(FileEventKind.CREATE, subdir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void deletingAFileOrADirectoryIsADelete(Fs fs) throws Exception {
        Path file = Files.createFile(directoryOn(fs).resolve("old-file"));
        Path subdir = Files.createDirectory(dir.resolve("old-dir"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.DELETE));
        Files.delete(file);
        Files.delete(subdir);
        expect(FileEventKind.DELETE, file, false);
        expect(FileEventKind.DELETE, subdir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void renamingIsOneRenameWithTheOldAndTheNewPath(Fs fs) throws Exception {
        Path from = Files.createFile(directoryOn(fs).resolve("before"));
        Path fromDir = Files.createDirectory(dir.resolve("before-dir"));
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.RENAME));
        Path to = Files.move(from, dir.resolve("after"));
        Path toDir = Files.move(fromDir, dir.resolve("after-dir"));
        FileAccessEvent file = awaitEvent(sub, FileEventKind.RENAME, to);
        assertThat(file.oldPath()).isEqualTo(from);
        assertThat(file.directory()).isFalse();
        FileAccessEvent directory = awaitEvent(sub, FileEventKind.RENAME, toDir);
        assertThat(directory.oldPath()).isEqualTo(fromDir);
        assertThat(directory.directory()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void movingOutAndMovingInAreTheTwoHalvesOfAMove(Fs fs) throws Exception {
        Path outside = Files.createDirectory(directoryOn(fs).resolve("outside"));
        Path watched = Files.createDirectory(dir.resolve("watched"));
        Path leaving = Files.createFile(watched.resolve("leaving"));
        Path arriving = Files.createFile(outside.resolve("arriving"));
        watch(FanotifyWatch.of(FanotifyMark.path(watched), FileEventKind.MOVED_OUT, FileEventKind.MOVED_IN));
        Files.move(leaving, outside.resolve("left"));
        Path arrived = Files.move(arriving, watched.resolve("arrived"));
        expect(FileEventKind.MOVED_OUT, leaving, false);
        expect(FileEventKind.MOVED_IN, arrived, false);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void deletingAMarkedFileOrDirectoryIsADeleteSelfWithTheMarkedPath(Fs fs) throws Exception {
        Path file = Files.createFile(directoryOn(fs).resolve("doomed-file"));
        Path subdir = Files.createDirectory(dir.resolve("doomed-dir"));
        FanotifyMark fileMark = FanotifyMark.path(file);
        FanotifyMark dirMark = FanotifyMark.path(subdir);
        watch(FanotifyWatch.of(fileMark, FileEventKind.DELETE_SELF).withMark(dirMark));
        Files.delete(file);
        Files.delete(subdir);
        assertThat(expect(FileEventKind.DELETE_SELF, file, false).mark()).isEqualTo(fileMark);
        assertThat(expect(FileEventKind.DELETE_SELF, subdir, true).mark()).isEqualTo(dirMark);
    }

    /** The source holds an fd on each marked filesystem; it must not be the marked directory, or the kernel would wait for it. */
    @ParameterizedTest
    @EnumSource(Fs.class)
    void deletingTheOnlyMarkedDirectoryIsADeleteSelfAtOnce(Fs fs) throws Exception {
        Path subdir = Files.createDirectory(directoryOn(fs).resolve("only-mark"));
        watch(FanotifyWatch.of(FanotifyMark.path(subdir), FileEventKind.DELETE_SELF));
        Files.delete(subdir);
        expect(FileEventKind.DELETE_SELF, subdir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void movingAMarkedFileOrDirectoryIsAMoveSelfWithItsNewPath(Fs fs) throws Exception {
        Path file = Files.createFile(directoryOn(fs).resolve("wandering-file"));
        Path subdir = Files.createDirectory(dir.resolve("wandering-dir"));
        watch(FanotifyWatch.of(FanotifyMark.path(file), FileEventKind.MOVE_SELF).withMark(FanotifyMark.path(subdir)));
        Path movedFile = Files.move(file, dir.resolve("moved-file"));
        Path movedDir = Files.move(subdir, dir.resolve("moved-dir"));
        expect(FileEventKind.MOVE_SELF, movedFile, false);
        expect(FileEventKind.MOVE_SELF, movedDir, true);
    }

    @ParameterizedTest
    @EnumSource(Fs.class)
    void aRecordTheKernelMergedIsDeliveredAsOneEventPerKindInLifeOrder(Fs fs) throws Exception {
        Path file = directoryOn(fs).resolve("merged");
        watch(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE, FileEventKind.OPEN,
                FileEventKind.MODIFY, FileEventKind.CLOSE_WRITE));
        Files.writeString(file, "x");
        awaitEvent(sub, FileEventKind.CLOSE_WRITE, file);
        assertThat(sub.items).extracting(FileAccessEvent::kind).containsExactly(FileEventKind.CREATE,
                FileEventKind.OPEN, FileEventKind.MODIFY, FileEventKind.CLOSE_WRITE);
        assertThat(sub.items).extracting(FileAccessEvent::path).containsOnly(file);
        assertThat(sub.items).extracting(FileAccessEvent::executable).doesNotContain(Optional.empty());
    }
}
