package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.sys.Fanotify;
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

/** Records the real kernel writes in file-id mode with names decode to the operations that made them. */
@ExtendWith(FdLeakCheck.class)
class FanotifyKernelRecordsTest {

    @Test
    void createWriteRenameAndDeleteDecodeWithDirectoryIdsNamesAndObjectIds(@TempDir Path dir) throws Exception {
        int raw = Fanotify.init(FanotifySource.INIT_FLAGS, FanotifySource.EVENT_FD_FLAGS);
        assertThat(raw).isNotNegative();
        try (OwnedFd fd = new OwnedFd(raw, "fanotify"); ReadBuffer buffer = new ReadBuffer(8192)) {
            long mask = Fanotify.FAN_CREATE | Fanotify.FAN_CLOSE_WRITE | Fanotify.FAN_RENAME | Fanotify.FAN_DELETE
                    | Fanotify.FAN_ONDIR | Fanotify.FAN_EVENT_ON_CHILD;
            assertThat(Fanotify.mark(fd.get(), Fanotify.FAN_MARK_ADD, mask, dir.toString())).isZero();
            Path file = Files.writeString(dir.resolve("été.txt"), "x");
            Files.move(file, dir.resolve("renamed"));
            Files.createDirectory(dir.resolve("sub"));
            Files.delete(dir.resolve("renamed"));

            long n = Io.read(fd.get(), buffer.address(), buffer.capacity());
            assertThat(n).isPositive();
            ByteBuffer batch = buffer.buffer().position(0).limit((int) n);
            List<FanotifyRecord> records = new ArrayList<>();
            while (batch.hasRemaining()) {
                records.add(FanotifyRecords.next(batch));
            }
            assertThat(records).allSatisfy(r -> {
                assertThat(r.fd()).isEqualTo(Fanotify.FAN_NOFD);
                assertThat(r.pid()).isEqualTo((int) ProcessHandle.current().pid());
            });
            assertThat(records).extracting(FanotifyRecord::mask).containsExactly(
                    Fanotify.FAN_CREATE, Fanotify.FAN_CLOSE_WRITE, Fanotify.FAN_RENAME,
                    Fanotify.FAN_CREATE | Fanotify.FAN_ONDIR, Fanotify.FAN_DELETE);

            FanotifyFileIdInfo created = records.get(0).fileId(Fanotify.INFO_TYPE_DFID_NAME);
            assertThat(created.name()).isEqualTo("été.txt");
            assertThat(records.get(0).fileId(Fanotify.INFO_TYPE_FID)).as("no object id for directory-entry events").isNull();
            FanotifyRecord closed = records.get(1);
            assertThat(closed.fileId(Fanotify.INFO_TYPE_DFID_NAME).name()).isEqualTo("été.txt");
            assertThat(closed.fileId(Fanotify.INFO_TYPE_FID)).as("an object id for other events").isNotNull();
            assertThat(closed.fileId(Fanotify.INFO_TYPE_FID).fsid()).isEqualTo(created.fsid());
            FanotifyRecord rename = records.get(2);
            assertThat(rename.fileId(Fanotify.INFO_TYPE_OLD_DFID_NAME).name()).isEqualTo("été.txt");
            assertThat(rename.fileId(Fanotify.INFO_TYPE_NEW_DFID_NAME).name()).isEqualTo("renamed");
            assertThat(rename.fileId(Fanotify.INFO_TYPE_OLD_DFID_NAME).handle())
                    .isEqualTo(rename.fileId(Fanotify.INFO_TYPE_NEW_DFID_NAME).handle()).isEqualTo(created.handle());
            assertThat(records.get(3).fileId(Fanotify.INFO_TYPE_DFID_NAME).name()).isEqualTo("sub");
            assertThat(records.get(4).fileId(Fanotify.INFO_TYPE_DFID_NAME).name()).isEqualTo("renamed");
            assertThat(Io.read(fd.get(), buffer.address(), buffer.capacity())).isEqualTo(-Errno.EAGAIN);
        }
    }
}
