package io.barco.junit.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.testing.FakeHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A test's share of its JVM, read from a /proc the fake host serves. */
class JvmUsageTest {
    @TempDir
    Path dir;

    /** /proc/self/stat with these utime and stime ticks, for a command whose name holds ") (" as a JVM's may. */
    private static String stat(long utime, long stime) {
        return "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 30 0 123 456 789\n";
    }

    private FakeHost hostWith(String stat, String status, boolean clearRefs) throws IOException {
        FakeHost host = FakeHost.v2(dir);
        Path self = host.proc().resolve("self");
        Files.createDirectories(self);
        Files.writeString(self.resolve("stat"), stat);
        Files.writeString(self.resolve("status"), status);
        if (clearRefs) {
            Files.writeString(self.resolve("clear_refs"), "");
        }
        return host;
    }

    @Test
    void aTestGetsTheJvmsWallAndCpuTimeSinceItStartedAndThePeakFromTheResetHighWaterMark() throws IOException {
        FakeHost host = hostWith(stat(100, 40), "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t 102400 kB\n", true);
        JvmUsage usage = new JvmUsage(host);

        long[] start = usage.startOfTest();
        Files.writeString(host.proc().resolve("self/stat"), stat(107, 43));
        OutcomeFile.Spent spent = usage.since(start);

        assertThat(host.calls()).contains("write proc/self/clear_refs 5");
        assertThat(spent.wallNanos()).isEqualTo(1_000_000_000L); // the fake clock: a second a look
        assertThat(spent.cpuUserNanos()).isEqualTo(70_000_000L); // 7 ticks of 10 ms
        assertThat(spent.cpuSystemNanos()).isEqualTo(30_000_000L);
        assertThat(spent.peakResidentBytes()).isEqualTo(204800L * 1024);
    }

    @Test
    void withoutClearRefsATestHasNoPeakOfItsOwnAndAContainerNeverHasOne() throws IOException {
        FakeHost host = hostWith(stat(1, 1), "VmHWM:\t 2048 kB\n", false);
        JvmUsage usage = new JvmUsage(host);

        assertThat(usage.since(usage.startOfTest()).peakResidentBytes()).isEqualTo(-1);
        assertThat(usage.since(usage.now()).peakResidentBytes()).isEqualTo(-1);
    }

    @Test
    void anUnreadableOrForeignProcLeavesTheWallTimeAlone() throws IOException {
        FakeHost host = hostWith("garbage without fields", "VmHWM: lots\n", true);
        JvmUsage usage = new JvmUsage(host);

        OutcomeFile.Spent spent = usage.since(usage.startOfTest());

        assertThat(spent.wallNanos()).isEqualTo(1_000_000_000L);
        assertThat(spent.cpuUserNanos()).isEqualTo(-1);
        assertThat(spent.cpuSystemNanos()).isEqualTo(-1);
        assertThat(spent.peakResidentBytes()).isEqualTo(-1);

        Files.delete(host.proc().resolve("self/stat"));
        assertThat(usage.now()[1]).isEqualTo(-1);
    }
}
