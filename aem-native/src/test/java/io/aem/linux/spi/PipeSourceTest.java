package io.aem.linux.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Io;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class PipeSourceTest {

    private static OwnedFd[] pipe() {
        try (Memory fds = new Memory(8)) {
            assertThat(Io.pipe(fds, Io.O_NONBLOCK | Io.O_CLOEXEC)).isZero();
            return new OwnedFd[] {new OwnedFd(fds.getInt(0), "pipe read end"), new OwnedFd(fds.getInt(4), "pipe write end")};
        }
    }

    /** Writes until the pipe is full; returns the bytes written. */
    private static long fill(OwnedFd writeEnd, Memory block) {
        long total = 0;
        for (;;) {
            long n = Io.write(writeEnd.get(), block, block.size());
            if (n == -Errno.EAGAIN) {
                return total;
            }
            assertThat(n).isPositive();
            total += n;
        }
    }

    @Test
    void withoutDemandTheWriterIsHeldBackByTheKernelAndEverythingArrivesInOrderWithDemand() throws Exception {
        OwnedFd[] p = pipe();
        try (EventLoop loop = EventLoop.open("pipe"); Memory block = new Memory(4096)) {
            RecordingSubscriber<byte[]> sub = new RecordingSubscriber<>(0);
            new SourcePublisher<>(loop, new PipeSource(p[0], 4096)).subscribe(sub);
            for (int i = 0; i < 4096; i++) {
                block.setByte(i, (byte) i);
            }
            long written = fill(p[1], block);
            // The pipe (64 KiB by default) is full: nobody read it, because nobody asked.
            assertThat(written).isGreaterThanOrEqualTo(4096);
            assertThat(sub.items).isEmpty();

            sub.request(Long.MAX_VALUE);
            await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.stream().mapToLong(b -> b.length).sum() == written);
            byte[] first = sub.items.get(0);
            for (int i = 0; i < first.length; i++) {
                assertThat(first[i]).isEqualTo((byte) (i % 4096));
            }
            p[1].close();
            sub.done.get(5, TimeUnit.SECONDS);
            assertThat(p[0].isOpen()).isFalse();
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void demandOfOneChunkAtATimeReadsOneBatchAtATime() throws Exception {
        OwnedFd[] p = pipe();
        try (EventLoop loop = EventLoop.open("pipe-slow"); Memory block = new Memory(100)) {
            RecordingSubscriber<byte[]> sub = new RecordingSubscriber<>(1);
            new SourcePublisher<>(loop, new PipeSource(p[0], 10)).subscribe(sub);
            assertThat(Io.write(p[1].get(), block, 100)).isEqualTo(100);
            await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
            sub.request(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 3);
            assertThat(sub.items).allSatisfy(b -> assertThat(b).hasSize(10));
            p[1].close();
            sub.request(100);
            sub.done.get(5, TimeUnit.SECONDS);
            assertThat(sub.items.stream().mapToLong(b -> b.length).sum()).isEqualTo(100);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aHangUpWithoutDemandDoesNotSpinTheLoopAndCompletesWhenDemandReturns() throws Exception {
        OwnedFd[] p = pipe();
        try (EventLoop loop = EventLoop.open("pipe-hup"); Memory block = new Memory(10)) {
            RecordingSubscriber<byte[]> sub = new RecordingSubscriber<>(0);
            new SourcePublisher<>(loop, new PipeSource(p[0], 64)).subscribe(sub);
            assertThat(Io.write(p[1].get(), block, 10)).isEqualTo(10);
            p[1].close();
            await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> true);
            long turns = loop.turns();
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> true);
            // Paused with EPOLLONESHOT: the hang-up was reported at most once, not on every turn.
            assertThat(loop.turns() - turns).isLessThan(5);
            assertThat(sub.items).isEmpty();
            sub.request(5);
            sub.done.get(5, TimeUnit.SECONDS);
            assertThat(sub.items).hasSize(1);
            assertThat(sub.items.get(0)).hasSize(10);
        } finally {
            p[0].close();
            p[1].close();
        }
    }
}
