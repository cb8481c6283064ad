package io.barco.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.spec.Limits;
import io.barco.testing.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup v1 driver against temporary hierarchies whose kernel is the fake host. */
class CgroupV1Test {
    private static final Limits ALL =
            Limits.NONE.withMemory(1L << 30).withCpuWeight(256).withCpus(0.5).withPids(64);

    @TempDir
    Path dir;

    private Path group(FakeHost host, String hierarchy, ContainerCgroup group) {
        String name = Path.of(group.describe().split(", ")[0]).getFileName().toString();
        return host.cgroupfs().resolve(hierarchy).resolve("user.slice").resolve(name);
    }

    @Test
    void createsOneGroupPerHierarchyBelowTheCallersOwnAndLimitsIt() throws Exception {
        FakeHost host = FakeHost.v1(dir, true);
        Cgroups cgroups = new Cgroups(host, "barco");
        try (ContainerCgroup group = cgroups.create(ALL, false)) {
            Path memory = group(host, "memory", group);
            Path cpu = group(host, "cpu,cpuacct", group);
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")))
                    .isEqualTo("1073741824");
            assertThat(Files.readString(memory.resolve("memory.memsw.limit_in_bytes")))
                    .isEqualTo("1073741824");
            assertThat(Files.readString(cpu.resolve("cpu.shares"))).isEqualTo("6687");
            assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
            assertThat(Files.readString(group(host, "pids", group).resolve("pids.max")))
                    .isEqualTo("64");
            assertThat(group.settings())
                    .containsExactly(
                            "memory.limit_in_bytes to 1G",
                            "memory.memsw.limit_in_bytes to 1G",
                            "cpu.shares to 6687 (cpu.weight 256)",
                            "cpu.cfs_period_us to 100000",
                            "cpu.cfs_quota_us to 50000",
                            "pids.max to 64");
            assertThat(group.procsFiles())
                    .containsExactly(
                            memory.resolve("cgroup.procs"),
                            cpu.resolve("cgroup.procs"),
                            group(host, "pids", group).resolve("cgroup.procs"),
                            group(host, "blkio", group).resolve("cgroup.procs"),
                            group(host, "freezer", group).resolve("cgroup.procs"));
            assertThat(group.mounts())
                    .extracting(ContainerCgroup.Mount::subdirectory)
                    .as("cpuset shown, though the container stays in the caller's group there")
                    .containsExactly("memory", "cpu,cpuacct", "pids", "blkio", "freezer", "cpuset");
            assertThat(host.calls()).filteredOn(c -> c.startsWith("mkdir")).hasSize(5);
            assertThat(cgroups.driverName()).isEqualTo("cgroup v1 (memory, cpu, cpuacct, pids, blkio, freezer)");
        }
    }

    @Test
    void withoutSwapAccountingAMemoryLimitAvoidsSwap() throws Exception {
        FakeHost host = FakeHost.v1(dir, false);
        try (ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE.withMemory(1L << 30), false)) {
            assertThat(Files.readString(group(host, "memory", group).resolve("memory.swappiness")))
                    .isEqualTo("0");
            assertThat(group.settings()).containsExactly("memory.limit_in_bytes to 1G", "memory.swappiness to 0");
        }
    }

    @Test
    void readsWhatTheContainerUsedAndSamplesTheTasks() {
        FakeHost host = FakeHost.v1(dir, true);
        try (ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE, false)) {
            host.kernelSets(group(host, "pids", group).resolve("pids.current"), "3\n");
            group.started();
            Path memory = group(host, "memory", group);
            Path cpu = group(host, "cpu,cpuacct", group);
            host.kernelSets(memory.resolve("memory.max_usage_in_bytes"), "8388608\n");
            host.kernelSets(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
            host.kernelSets(cpu.resolve("cpuacct.usage_user"), "3000000\n");
            host.kernelSets(cpu.resolve("cpuacct.usage_sys"), "1000000\n");
            host.kernelSets(
                    group(host, "blkio", group).resolve("blkio.throttle.io_service_bytes"),
                    "8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n");
            ResourceUsage usage = group.usage(Duration.ofSeconds(1));
            assertThat(usage.peakMemoryBytes()).hasValue(8388608);
            assertThat(usage.oomKills()).isEqualTo(2);
            assertThat(usage.cpuUser()).contains(Duration.ofMillis(3));
            assertThat(usage.cpuSystem()).contains(Duration.ofMillis(1));
            assertThat(usage.peakTasks()).hasValue(3);
            assertThat(usage.peakTasksSampled()).isTrue();
            assertThat(usage.ioReadBytes()).hasValue(4096);
            assertThat(usage.ioWriteBytes()).hasValue(512);
        }
    }

    @Test
    void closingFreezesKillsThawsThenRemovesEachGroup() {
        FakeHost host = FakeHost.v1(dir, true);
        ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE, false);
        Path freezer = group(host, "freezer", group);
        int task = host.startTask(freezer);
        group.close();
        String at = "sys/fs/cgroup/freezer/user.slice/" + freezer.getFileName();
        assertThat(host.calls())
                .containsSubsequence(
                        "write " + at + "/freezer.state FROZEN",
                        "kill " + task + " 9",
                        "write " + at + "/freezer.state THAWED");
        assertThat(host.calls()).filteredOn(c -> c.startsWith("rmdir")).hasSize(5);
        assertThat(freezer).doesNotExist();
    }

    @Test
    void aLimitTheKernelRefusesLeavesNoGroupInAnyHierarchy() {
        FakeHost host = FakeHost.v1(dir, true).failWrites("cpu.shares", "Invalid argument");
        assertThatThrownBy(() -> new Cgroups(host, "barco").create(ALL, false))
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("/cpu.shares: Invalid argument");
        for (String hierarchy : List.of("memory", "cpu,cpuacct", "pids", "blkio", "freezer")) {
            assertThat(host.cgroupfs().resolve(hierarchy).resolve("user.slice"))
                    .isDirectoryNotContaining(p -> Files.isDirectory(p));
        }
    }

    @Test
    void collectsDeadLaunchersGroupsInEveryHierarchy() throws Exception {
        FakeHost host = FakeHost.v1(dir, true);
        for (String hierarchy : List.of("memory", "pids", "freezer")) {
            host.mkdir(host.cgroupfs().resolve(hierarchy).resolve("user.slice/barco-4194309-1-1"));
        }
        int orphan = host.startTask(host.cgroupfs().resolve("freezer/user.slice/barco-4194309-1-1"));
        List<Path> removed = new Cgroups(host, "barco").collectGarbage();
        assertThat(removed).hasSize(3);
        assertThat(host.calls())
                .containsSubsequence(
                        "write sys/fs/cgroup/freezer/user.slice/barco-4194309-1-1/freezer.state FROZEN",
                        "kill " + orphan + " 9",
                        "rmdir sys/fs/cgroup/freezer/user.slice/barco-4194309-1-1");
    }
}
