package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.testing.FdLeakCheck;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The loader's fallback on test objects: aem_fallback.bpf.c has one program on a tracepoint no
 * kernel has: the object is reopened without it and the other program loads and attaches;
 * aem_twin.bpf.c gives such a program a classic-tracepoint twin, which is loaded in its place
 * while the twin of the accepted program stays off; unknown resources and objects without a
 * loadable program are typed errors.
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

    private static final BpfObject.Ref TWIN =
            new BpfObject.Ref("io/aem/kernel/test/aem_twin.bpf.o", "aem_twin", "twin test");

    @Test
    void aRefusedTpBtfProgramIsReplacedByItsClassicTwin() throws Exception {
        try (BpfObject object = BpfObject.load(TWIN, BpfFilter.ALL, 4096)) {
            assertThat(object.programs()).containsExactly("aem_twin_good", "aem_twin_missing_classic");
            assertThat(object.refusedPrograms()).containsExactly("aem_twin_missing");
            assertThat(Tracefs.mounted(Tracefs.MOUNT_POINT)).isTrue();
        }
    }

    @Test
    void forcedClassicTracepointsReplaceEveryTpBtfProgramThatHasATwin() throws Exception {
        try (BpfObject object = BpfObject.load(TWIN, BpfFilter.ALL, 4096, true)) {
            assertThat(object.programs()).containsExactly("aem_twin_good_classic", "aem_twin_missing_classic");
            assertThat(object.refusedPrograms()).isEmpty();
        }
    }

    @Test
    void programsWithoutATwinLoadWhenClassicTracepointsAreForced() throws Exception {
        try (BpfObject object = BpfObject.load(FALLBACK, BpfFilter.ALL, 4096, true)) {
            assertThat(object.programs()).containsExactly("aem_fallback_good");
            assertThat(object.refusedPrograms()).containsExactly("aem_fallback_missing");
        }
    }

    @Test
    void twinsArePairedByName() {
        assertThat(BpfObject.classicTwins(java.util.Set.of("a", "a_classic", "b_classic", "c")))
                .containsExactly(java.util.Map.entry("a", "a_classic"));
        assertThat(BpfObject.isClassic("tracepoint/sched/sched_process_exit")).isTrue();
        assertThat(BpfObject.isClassic("tp/sched/sched_process_exit")).isTrue();
        assertThat(BpfObject.isClassic("tp_btf/sched_process_exit")).isFalse();
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
