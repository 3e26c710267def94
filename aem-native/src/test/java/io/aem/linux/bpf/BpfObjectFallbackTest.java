package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.testing.FdLeakCheck;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The loader's fallback on a test object (kernel/src/test/bpf/aem_fallback.bpf.c) with one
 * program on a tracepoint no kernel has: the object is reopened without it and the other program
 * loads and attaches; unknown resources and objects without a loadable program are typed errors.
 */
@ExtendWith(FdLeakCheck.class)
class BpfObjectFallbackTest {
    private static final BpfObject.Ref FALLBACK =
            new BpfObject.Ref("io/aem/kernel/test/aem_fallback.bpf.o", "aem_fallback", "fallback test");

    @Test
    void aRefusedProgramIsLeftOutAndTheOthersLoad() throws Exception {
        try (BpfObject object = BpfObject.load(FALLBACK, BpfFilter.ALL, 4096);
                DropCounter drops = new DropCounter(object.dropsFd())) {
            assertThat(object.programs()).containsExactly("aem_fallback_good");
            assertThat(object.refusedPrograms()).containsExactly("aem_fallback_missing");
            assertThat(object.ringFd()).isNotNegative();
            assertThat(drops.total()).isNotNegative();
        }
    }

    @Test
    void anObjectMissingFromTheClassPathNamesTheJar() {
        assertThatThrownBy(() -> BpfObject.load(new BpfObject.Ref("io/aem/kernel/none.bpf.o", "none", "none"),
                BpfFilter.ALL, 4096))
                .isInstanceOf(IOException.class).hasMessageContaining("aem-kernel");
    }

    @Test
    void anObjectWhoseOnlyProgramIsRefusedIsAnUnsupportedFeature() {
        BpfObject.Ref refused = new BpfObject.Ref("io/aem/kernel/test/aem_refused.bpf.o", "aem_refused", "refused test");
        assertThatThrownBy(() -> BpfObject.load(refused, BpfFilter.ALL, 4096).close())
                .isInstanceOf(UnsupportedKernelFeatureException.class)
                .hasMessageContaining("aem_refused_missing")
                .hasMessageContaining("ESRCH");
    }
}
