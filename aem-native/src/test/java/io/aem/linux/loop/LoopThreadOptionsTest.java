package io.aem.linux.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.sys.Sched;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ThreadCapabilities;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** AEM's event affinity and priority, in user space: the loop thread's CPUs and scheduling policy. */
@ExtendWith(FdLeakCheck.class)
class LoopThreadOptionsTest {

    @Test
    void theLoopThreadIsPinnedToTheRequestedCpu() throws Exception {
        int last = Runtime.getRuntime().availableProcessors() - 1;
        try (EventLoop loop = EventLoop.open(EventLoopOptions.defaults().withName("pinned").withCpuAffinity(last))) {
            int[] cpus = CompletableFuture.supplyAsync(Sched::affinity, loop).join();
            assertThat(cpus).containsExactly(last);
        }
    }

    @Test
    void pinningToCpusThatDoNotExistFailsNamingTheCpusAvailable() {
        assertThatThrownBy(() -> EventLoop.open(EventLoopOptions.defaults().withName("nowhere").withCpuAffinity(1000)))
                .isInstanceOf(KernelException.class).hasMessageContaining("sched_setaffinity")
                .hasMessageContaining("[1000]").hasMessageContaining("may run on CPUs");
    }

    @Test
    void aRealtimePolicyIsAppliedToTheLoopThread() throws Exception {
        Assumptions.assumeTrue(ThreadCapabilities.has(ThreadCapabilities.CAP_SYS_NICE),
                "real-time scheduling needs CAP_SYS_NICE, which this process lacks; the refusal is tested below");
        try (EventLoop loop = EventLoop.open(EventLoopOptions.defaults().withName("rt").withRealtime(RealtimePolicy.FIFO, 10))) {
            assertThat(CompletableFuture.supplyAsync(Sched::scheduler, loop).join()).isEqualTo(Sched.SCHED_FIFO);
            assertThat(CompletableFuture.supplyAsync(() -> "served", loop).join()).isEqualTo("served");
        }
        try (EventLoop loop = EventLoop.open(EventLoopOptions.defaults().withName("rr").withRealtime(RealtimePolicy.ROUND_ROBIN, 5))) {
            assertThat(CompletableFuture.supplyAsync(Sched::scheduler, loop).join()).isEqualTo(Sched.SCHED_RR);
        }
    }

    @Test
    void aRefusedRealtimePolicyFailsNamingCapSysNiceAndRlimitRtprio() {
        EventLoopOptions options = EventLoopOptions.defaults().withName("no-nice")
                .withThreadFactory(ThreadCapabilities.factoryWithout(ThreadCapabilities.CAP_SYS_NICE, "no-nice"))
                .withRealtime(RealtimePolicy.FIFO, 50);
        assertThatThrownBy(() -> EventLoop.open(options)).isInstanceOf(MissingPrivilegeException.class)
                .hasMessageContaining("CAP_SYS_NICE").hasMessageContaining("RLIMIT_RTPRIO").hasMessageContaining("'no-nice'");
    }

    @Test
    void aThreadFactoryThatReturnsNoThreadIsReported() {
        assertThatThrownBy(() -> EventLoop.open(EventLoopOptions.defaults().withThreadFactory(r -> null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned no thread");
    }
}
