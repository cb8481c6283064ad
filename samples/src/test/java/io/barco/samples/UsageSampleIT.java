package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.InBarco;
import io.barco.junit.OnHost;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What a test used, checked on the host after it ran in its container, in the default granularity:
 * the class's tests share one forked JVM, and each gets that JVM's wall and CPU time while it ran
 * and its resident memory at its highest meanwhile.
 */
@InBarco(memory = "512M")
class UsageSampleIT {
    private static final List<byte[]> KEPT = new ArrayList<>();

    @Test
    void allocatesLittle() {
        assertThat(new byte[1 << 10]).hasSize(1 << 10);
    }

    @Test
    void touchesFortyMegabytes() {
        for (int i = 0; i < 40; i++) {
            byte[] mib = new byte[1 << 20];
            java.util.Arrays.fill(mib, (byte) 1); // resident, not just reserved
            KEPT.add(mib);
        }
        assertThat(KEPT).hasSize(40);
    }

    @AfterEach
    @OnHost // runs on the host, after the forked test, with what the test used
    void checkUsage(ResourceUsage usage, TestInfo test) {
        assertThat(usage).peakMemoryBelow("400M").noOomKill();
        if (test.getDisplayName().startsWith("touches")) {
            assertThat(usage.peakMemoryBytes().orElseThrow()).isGreaterThan(40L << 20);
        }
    }
}
