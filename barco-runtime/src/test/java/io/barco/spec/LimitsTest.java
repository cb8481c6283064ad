package io.barco.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void sizesParseAsUsersWriteThem() {
        assertThat(Size.parse("1048576")).isEqualTo(1 << 20);
        assertThat(Size.parse("512K")).isEqualTo(512L << 10);
        assertThat(Size.parse("64M")).isEqualTo(64L << 20);
        assertThat(Size.parse("1G")).isEqualTo(1L << 30);
        assertThat(Size.parse("1.5g")).isEqualTo(3L << 29);
        assertThat(Size.parse("2MiB")).isEqualTo(2L << 20);
        assertThatThrownBy(() -> Size.parse("1X"))
                .hasMessage("invalid size '1X': use bytes or a number with K, M, G or T, e.g. 512M or 1G");
        assertThatThrownBy(() -> Size.parse("-1M")).hasMessageContaining("invalid size");
        assertThatThrownBy(() -> Size.parse("0")).hasMessageContaining("at least one byte");
        assertThat(Size.format(1L << 30)).isEqualTo("1G");
        assertThat(Size.format(1536)).isEqualTo("1536");
        assertThat(Size.human(104857600)).isEqualTo("100.0M");
    }

    @Test
    void theSeedsLimits() {
        assertThat(Limits.SEED.memoryLimit()).hasValue(1L << 30);
        assertThat(Limits.SEED.cpuWeightLimit()).hasValue(256);
        assertThat(Limits.SEED.pidsLimit()).hasValue(64);
        assertThat(Limits.SEED).hasToString("memory 1G, cpu weight 256, pids 64");
        assertThat(Limits.NONE.isEmpty()).isTrue();
    }

    @Test
    void swapIsOffUnlessAllowed() {
        assertThat(Limits.NONE.withMemory("64M").memorySwapLimit()).hasValue(64L << 20);
        assertThat(Limits.NONE.withMemory("64M").withMemorySwap(128L << 20).memorySwapLimit())
                .hasValue(128L << 20);
        assertThatThrownBy(() -> Limits.NONE.withMemorySwap(1 << 20))
                .hasMessageContaining("memory limit, which must be set too");
    }

    @Test
    void cpusBecomeAQuotaPer100Milliseconds() {
        assertThat(Limits.NONE.withCpus(1.5).cpuQuotaMicros()).hasValue(150_000);
        assertThat(Limits.NONE.withCpus(0.5).cpuQuotaMicros()).hasValue(50_000);
    }

    @Test
    void invalidValuesAreRejectedBeforeAnythingIsCreated() {
        assertThatThrownBy(() -> Limits.NONE.withPids(0))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("pids limit 0 must be at least 1");
        assertThatThrownBy(() -> Limits.NONE.withPids(-5)).hasMessage("pids limit -5 must be at least 1");
        assertThatThrownBy(() -> Limits.NONE.withCpuWeight(0)).hasMessage("cpu weight 0 is outside 1..10000");
        assertThatThrownBy(() -> Limits.NONE.withCpuWeight(10001)).hasMessage("cpu weight 10001 is outside 1..10000");
        assertThatThrownBy(() -> Limits.NONE.withCpus(0)).hasMessageContaining("cpus 0.0 is not a positive number");
        assertThatThrownBy(() -> Limits.NONE.withMemory(100)).hasMessageContaining("too small");
    }
}
