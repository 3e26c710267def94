package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.sys.Inotify;
import io.aem.linux.sys.Io;
import io.aem.linux.testing.FdLeakCheck;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Records the real kernel writes decode to the operations that produced them. */
@ExtendWith(FdLeakCheck.class)
class InotifyKernelRecordsTest {

    @Test
    void createWriteRenameAndDeleteInAWatchedDirectoryDecodeInOrder(@TempDir Path dir) throws Exception {
        int raw = Inotify.init();
        assertThat(raw).isNotNegative();
        try (OwnedFd fd = new OwnedFd(raw, "inotify"); ReadBuffer buffer = new ReadBuffer(4096)) {
            int wd = Inotify.addWatch(fd.get(), dir.toString(), Inotify.IN_ALL_EVENTS);
            assertThat(wd).isPositive();
            Path file = dir.resolve("été.txt");
            Files.writeString(file, "x");
            Files.move(file, dir.resolve("renamed"));
            Files.createDirectory(dir.resolve("sub"));
            Files.delete(dir.resolve("renamed"));

            long n = Io.read(fd.get(), buffer.address(), buffer.capacity());
            assertThat(n).isPositive();
            ByteBuffer batch = buffer.buffer().position(0).limit((int) n);
            List<InotifyRecord> records = new ArrayList<>();
            while (batch.hasRemaining()) {
                records.add(InotifyRecords.next(batch));
            }
            assertThat(records).allSatisfy(r -> assertThat(r.wd()).isEqualTo(wd));
            assertThat(records).extracting(InotifyRecord::name)
                    .containsSubsequence("été.txt", "été.txt", "été.txt", "été.txt", "renamed", "sub", "renamed");
            InotifyRecord from = records.stream().filter(r -> r.is(Inotify.IN_MOVED_FROM)).findFirst().orElseThrow();
            InotifyRecord to = records.stream().filter(r -> r.is(Inotify.IN_MOVED_TO)).findFirst().orElseThrow();
            assertThat(from.cookie()).isNotZero().isEqualTo(to.cookie());
            assertThat(records.stream().filter(r -> r.name().equals("sub")).findFirst().orElseThrow()
                    .is(Inotify.IN_CREATE | Inotify.IN_ISDIR)).isTrue();
            assertThat(Io.read(fd.get(), buffer.address(), buffer.capacity())).isEqualTo(-Errno.EAGAIN);
        }
    }

    @Test
    void removingAWatchQueuesIgnored(@TempDir Path dir) throws Exception {
        try (OwnedFd fd = new OwnedFd(Inotify.init(), "inotify"); ReadBuffer buffer = new ReadBuffer(256)) {
            int wd = Inotify.addWatch(fd.get(), dir.toString(), Inotify.IN_CREATE);
            assertThat(Inotify.removeWatch(fd.get(), wd)).isZero();
            long n = Io.read(fd.get(), buffer.address(), buffer.capacity());
            InotifyRecord record = InotifyRecords.next(buffer.buffer().position(0).limit((int) n));
            assertThat(record.wd()).isEqualTo(wd);
            assertThat(record.is(Inotify.IN_IGNORED)).isTrue();
            assertThat(Inotify.addWatch(fd.get(), dir.resolve("missing").toString(), Inotify.IN_CREATE))
                    .isEqualTo(-Errno.ENOENT);
        }
    }
}
