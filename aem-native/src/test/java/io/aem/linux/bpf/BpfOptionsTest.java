package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BpfOptionsTest {
    @Test
    void ringSizesArePowersOfTwoFromAPageTo512MiB() {
        BpfOptions base = BpfOptions.of(BpfFilter.ALL);
        assertThat(base.withRingBytes(4096).ringBytes()).isEqualTo(4096);
        assertThat(base.withRingBytes(BpfOptions.MAX_RING_BYTES).ringBytes()).isEqualTo(1 << 29);
        assertThatThrownBy(() -> base.withRingBytes(1 << 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512 MiB");
        assertThatThrownBy(() -> base.withRingBytes(6000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> base.withRingBytes(2048))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
    }

    @Test
    void batchesNeedAtLeastOneKibibyte() {
        assertThatThrownBy(() -> new BpfOptions(BpfFilter.ALL, 4096, 512))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
    }
}
