package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.Errno;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.sys.Io;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After cancel, no program, link or map of the subscription remains in the kernel: every id seen
 * in this process's fds while the stream ran is gone ({@code bpf_*_get_fd_by_id} answers
 * {@code ENOENT}), and no fd is left open (FdLeakCheck).
 */
@ExtendWith(FdLeakCheck.class)
class BpfLifecycleTest {
    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-lifecycle-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    /** The ids of the eBPF objects behind this process's fds, as "prog_id:N", "map_id:N", "link_id:N". */
    static Set<String> bpfIds() throws IOException {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(fd);
                } catch (IOException gone) {
                    continue;
                }
                for (String line : lines) {
                    String[] kv = line.split(":\\s*", 2);
                    if (kv.length == 2 && (kv[0].equals("prog_id") || kv[0].equals("map_id") || kv[0].equals("link_id"))) {
                        ids.add(kv[0] + ":" + kv[1].trim());
                    }
                }
            }
        }
        return ids;
    }

    /** Whether the kernel still has the object with that id. */
    static boolean exists(String id) {
        String[] kv = id.split(":");
        int n = Integer.parseInt(kv[1]);
        int fd = switch (kv[0]) {
            case "prog_id" -> LibBpf.bpf_prog_get_fd_by_id(n);
            case "map_id" -> LibBpf.bpf_map_get_fd_by_id(n);
            default -> LibBpf.bpf_link_get_fd_by_id(n);
        };
        if (fd >= 0) {
            Io.close(fd);
            return true;
        }
        assertThat(-fd).as("bpf get_fd_by_id(" + id + ")").isEqualTo(Errno.ENOENT);
        return false;
    }

    @Test
    void cancelUnloadsProgramsLinksAndMaps() throws Exception {
        Set<String> before = bpfIds();
        QueueingSubscriber<FileLockEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.fileLocks(loop, BpfOptions.of(BpfFilter.process(BpfTesting.self()))), Long.MAX_VALUE);
        Set<String> ours = bpfIds();
        ours.removeAll(before);
        // Two programs and their links, the ring buffer, the drop counter, the pending maps of libbpf (.rodata).
        assertThat(ours).anyMatch(id -> id.startsWith("prog_id:"));
        assertThat(ours).anyMatch(id -> id.startsWith("link_id:"));
        assertThat(ours).anyMatch(id -> id.startsWith("map_id:"));
        assertThat(ours).allMatch(BpfLifecycleTest::exists);

        sub.subscription.join().cancel();
        await().atMost(BpfTesting.WAIT).untilAsserted(() -> assertThat(ours).noneMatch(BpfLifecycleTest::exists));
        assertThat(sub.items).isEmpty();
    }

    @Test
    void loopShutdownUnloadsToo() throws Exception {
        EventLoop own = EventLoop.open("bpf-lifecycle-own");
        Set<String> before = bpfIds();
        QueueingSubscriber<ProcessExitEvent> sub = BpfTesting.subscribe(own,
                BpfStreams.processExits(own, BpfOptions.of(BpfFilter.process(BpfTesting.self()))), 1);
        Set<String> ours = bpfIds();
        ours.removeAll(before);
        assertThat(ours).isNotEmpty().allMatch(BpfLifecycleTest::exists);
        own.close();
        await().atMost(BpfTesting.WAIT).until(() -> sub.done.isDone());
        await().atMost(BpfTesting.WAIT).untilAsserted(() -> assertThat(ours).noneMatch(BpfLifecycleTest::exists));
    }

    @Test
    void eachSubscriberLoadsItsOwnPrograms() throws Exception {
        var publisher = BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.process(BpfTesting.self())));
        Set<String> before = bpfIds();
        QueueingSubscriber<ProcessExitEvent> first = BpfTesting.subscribe(loop, publisher, 1);
        Set<String> one = bpfIds();
        one.removeAll(before);
        QueueingSubscriber<ProcessExitEvent> second = BpfTesting.subscribe(loop, publisher, 1);
        Set<String> two = bpfIds();
        two.removeAll(before);
        two.removeAll(one);
        assertThat(two).isNotEmpty();
        first.subscription.join().cancel();
        await().atMost(BpfTesting.WAIT).untilAsserted(() -> assertThat(one).noneMatch(BpfLifecycleTest::exists));
        assertThat(two).allMatch(BpfLifecycleTest::exists);
        second.subscription.join().cancel();
        await().atMost(BpfTesting.WAIT).untilAsserted(() -> assertThat(two).noneMatch(BpfLifecycleTest::exists));
    }
}
