package io.barco.junit;

import io.barco.cgroup.ResourceUsage;
import io.barco.launch.ContainerResult;
import io.barco.spec.Size;
import java.time.Duration;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;

/**
 * AssertJ assertions for container results and resource usage:
 * {@code assertThat(result).succeeded().stdoutContains("ready")},
 * {@code assertThat(usage).peakMemoryBelow("64M")},
 * {@code await().untilAsserted(() -> assertThat(server).outputContains("ready"))}.
 */
public final class BarcoAssertions {
    private BarcoAssertions() {}

    public static ResultAssert assertThat(ContainerResult actual) {
        return new ResultAssert(actual);
    }

    public static UsageAssert assertThat(ResourceUsage actual) {
        return new UsageAssert(actual);
    }

    public static RunningAssert assertThat(RunningCommand actual) {
        return new RunningAssert(actual);
    }

    /** Assertions on a {@link ContainerResult}; failures show the container's output. */
    public static final class ResultAssert extends AbstractAssert<ResultAssert, ContainerResult> {
        ResultAssert(ContainerResult actual) {
            super(actual, ResultAssert.class);
        }

        private String context() {
            return "\nstdout: " + actual.stdout() + "\nstderr: " + actual.stderr();
        }

        /** "exited with 1" or "was killed by signal 9": what the container did, as a sentence's verb. */
        private static String ended(io.barco.launch.ExitStatus status) {
            return status.killedBySignal() ? "was " + status : status.toString();
        }

        public ResultAssert succeeded() {
            isNotNull();
            if (!actual.succeeded()) {
                failWithMessage(
                        "expected the container to succeed, but it %s%s%s",
                        ended(actual.status()),
                        actual.timedOut() ? " (timed out)" : actual.oomKilled() ? " (OOM-killed)" : "",
                        context());
            }
            return this;
        }

        public ResultAssert exitedWith(int code) {
            isNotNull();
            if (actual.exitCode() != code) {
                failWithMessage(
                        "expected exit code %d, but the container %s%s", code, ended(actual.status()), context());
            }
            return this;
        }

        public ResultAssert wasOomKilled() {
            isNotNull();
            if (!actual.oomKilled()) {
                failWithMessage(
                        "expected the OOM killer to kill a process of the container, but it %s",
                        ended(actual.status()));
            }
            return this;
        }

        public ResultAssert timedOut() {
            isNotNull();
            if (!actual.timedOut()) {
                failWithMessage("expected the container to time out, but it %s", ended(actual.status()));
            }
            return this;
        }

        public ResultAssert stdoutContains(String text) {
            Assertions.assertThat(actual.stdout()).as("stdout").contains(text);
            return this;
        }

        public ResultAssert stdoutIsEqualTo(String text) {
            Assertions.assertThat(actual.stdout()).as("stdout").isEqualTo(text);
            return this;
        }

        public ResultAssert stderrContains(String text) {
            Assertions.assertThat(actual.stderr()).as("stderr").contains(text);
            return this;
        }

        public ResultAssert ranWithin(Duration limit) {
            Assertions.assertThat(actual.wallTime()).as("wall time").isLessThanOrEqualTo(limit);
            return this;
        }
    }

    /**
     * Assertions on a {@link RunningCommand}, made to be awaited; failures show everything the command
     * wrote so far and whether it still runs, so a server that died at start says why.
     */
    public static final class RunningAssert extends AbstractAssert<RunningAssert, RunningCommand> {
        RunningAssert(RunningCommand actual) {
            super(actual, RunningAssert.class);
        }

        public RunningAssert outputContains(String text) {
            isNotNull();
            String stdout = actual.output();
            if (!stdout.contains(text)) {
                failWithMessage(
                        "expected the stdout of `%s` to contain \"%s\", but the command %s and wrote%nstdout: %s%nstderr: %s",
                        actual.command(),
                        text,
                        actual.isAlive() ? "still runs" : "has ended",
                        stdout,
                        actual.errorOutput());
            }
            return this;
        }

        public RunningAssert isAlive() {
            isNotNull();
            if (!actual.isAlive()) {
                failWithMessage(
                        "expected `%s` to be running, but it has ended; it wrote%nstdout: %s%nstderr: %s",
                        actual.command(), actual.output(), actual.errorOutput());
            }
            return this;
        }
    }

    /** Assertions on a {@link ResourceUsage}. */
    public static final class UsageAssert extends AbstractAssert<UsageAssert, ResourceUsage> {
        UsageAssert(ResourceUsage actual) {
            super(actual, UsageAssert.class);
        }

        public UsageAssert peakMemoryBelow(String size) {
            isNotNull();
            long limit = Size.parse(size);
            long peak = actual.peakMemoryBytes()
                    .orElseThrow(
                            () -> new AssertionError(
                                    "no peak memory was measured for this usage:"
                                            + " a container's comes from its cgroup (memory.peak on cgroup v2 from Linux 5.19, memory.max_usage_in_bytes"
                                            + " on v1), a test's in a shared JVM from that JVM's /proc/self/status (VmHWM), which its kernel did not give"));
            if (peak >= limit) {
                failWithMessage(
                        "expected peak memory below %s, but it was %s (%d bytes)", size, Size.human(peak), peak);
            }
            return this;
        }

        public UsageAssert peakTasksAtMost(long tasks) {
            isNotNull();
            long peak = actual.peakTasks().orElseThrow(() -> new AssertionError("this host reports no peak of tasks"));
            if (peak > tasks) {
                failWithMessage("expected at most %d tasks at once, but there were %d", tasks, peak);
            }
            return this;
        }

        public UsageAssert cpuTimeBelow(Duration limit) {
            isNotNull();
            Duration cpu = actual.cpuTotal().orElseThrow(() -> new AssertionError("this host reports no CPU time"));
            if (cpu.compareTo(limit) >= 0) {
                failWithMessage("expected CPU time below %s, but it was %s", limit, cpu);
            }
            return this;
        }

        public UsageAssert noOomKill() {
            isNotNull();
            if (actual.oomKilled()) {
                failWithMessage("expected no OOM kill, but the OOM killer killed %d task(s)", actual.oomKills());
            }
            return this;
        }
    }
}
