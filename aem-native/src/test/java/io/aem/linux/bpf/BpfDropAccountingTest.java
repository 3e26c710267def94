package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.StreamStats;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-page ring buffer, no demand and a burst of chmod calls from this JVM: the kernel drops
 * what does not fit and counts it, and once demand comes the stream delivers what the ring held
 * plus Lost events whose counts make up the rest: delivered + lost == produced.
 */
@ExtendWith(FdLeakCheck.class)
class BpfDropAccountingTest {
    private static final int BURST = 300;
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-drops-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    @Test
    void deliveredPlusLostEqualsProduced() throws Exception {
        burstWithoutDemand(4096, 12);
    }

    /**
     * A ring larger than the fill below which the drop counter is not read: the counter must
     * still be read once the burst filled the ring.
     */
    @Test
    void deliveredPlusLostEqualsProducedWhenTheRingIsLargerThanTheSkipMargin() throws Exception {
        burstWithoutDemand(16384, 48);
    }

    private void burstWithoutDemand(int ringBytes, int fits) throws Exception {
        Path file = Files.createFile(dir.resolve("burst-" + ringBytes));
        BpfOptions options = BpfOptions.of(BpfFilter.process(BpfTesting.self())).withRingBytes(ringBytes);
        QueueingSubscriber<AttributeChangeEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.attributeChanges(loop, options), 0);
        Set<PosixFilePermission> a = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Set<PosixFilePermission> b = EnumSet.of(PosixFilePermission.OWNER_READ);
        for (int i = 0; i < BURST; i++) {
            Files.setPosixFilePermissions(file, i % 2 == 0 ? a : b);
        }
        BpfTesting.barrier(loop);
        assertThat(sub.items).as("nothing is delivered without demand").isEmpty();

        sub.request(Long.MAX_VALUE);
        String path = file.toString();
        long[] delivered = new long[1];
        long[] lost = new long[1];
        await().atMost(BpfTesting.WAIT).untilAsserted(() -> {
            AttributeChangeEvent e;
            while ((e = sub.items.poll()) != null) {
                if (e instanceof AttributeChangeEvent.Lost l) {
                    lost[0] += l.count();
                } else if (e instanceof AttributeChangeEvent.Change c && c.path().equals(path)) {
                    delivered[0]++;
                }
            }
            assertThat(delivered[0] + lost[0]).isEqualTo(BURST);
        });
        // A 4 KiB ring holds 12 records of 336 bytes, 16 KiB 48: most of the burst was dropped, and counted.
        assertThat(delivered[0]).isBetween(1L, (long) fits);
        assertThat(lost[0]).isGreaterThanOrEqualTo(BURST - fits);
        assertThat(((StreamStats) sub.subscription.join()).lost()).isEqualTo(lost[0]);

        // The stream goes on after the loss.
        Files.setPosixFilePermissions(file, a);
        AttributeChangeEvent.Change after = (AttributeChangeEvent.Change) BpfTesting.next(sub,
                e -> e instanceof AttributeChangeEvent.Change c && c.path().equals(path));
        assertThat(after.mode() & 0777).isEqualTo(0600);
        sub.subscription.join().cancel();
    }
}
