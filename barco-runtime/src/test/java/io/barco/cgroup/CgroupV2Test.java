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

/** The cgroup v2 driver against a temporary cgroupfs whose kernel is the fake host. */
class CgroupV2Test {
    private static final Limits ALL =
            Limits.NONE.withMemory(1L << 30).withCpuWeight(256).withCpus(0.5).withPids(64);

    @TempDir
    Path dir;

    @Test
    void createsTheGroupBelowItsParentWithTheControllersEnabledOnTheWayAndLimitsIt() throws Exception {
        FakeHost host = FakeHost.v2(dir);
        Cgroups cgroups = new Cgroups(host, "barco");
        try (ContainerCgroup group = cgroups.create(ALL, false)) {
            Path own = Path.of(group.describe());
            assertThat(own.getParent()).isEqualTo(host.cgroupfs().resolve("barco"));
            assertThat(Files.readString(own.resolve("memory.max"))).isEqualTo("1073741824");
            assertThat(Files.readString(own.resolve("memory.swap.max")))
                    .as("no swap beyond the memory limit")
                    .isEqualTo("0");
            assertThat(Files.readString(own.resolve("cpu.weight"))).isEqualTo("256");
            assertThat(Files.readString(own.resolve("cpu.max"))).isEqualTo("50000 100000");
            assertThat(Files.readString(own.resolve("pids.max"))).isEqualTo("64");
            assertThat(group.settings())
                    .containsExactly(
                            "memory.max to 1G",
                            "memory.swap.max to 0",
                            "cpu.weight to 256",
                            "cpu.max to 50000 100000",
                            "pids.max to 64");
            assertThat(group.procsFiles()).containsExactly(own.resolve("cgroup.procs"));
            assertThat(group.mounts()).containsExactly(new ContainerCgroup.Mount("", "cgroup2", null));
            assertThat(cgroups.driverName()).isEqualTo("cgroup v2 (" + host.cgroupfs() + ")");
            String name = own.getFileName().toString();
            assertThat(host.calls())
                    .containsSubsequence(
                            "mkdir sys/fs/cgroup/barco",
                            "write sys/fs/cgroup/cgroup.subtree_control +memory",
                            "write sys/fs/cgroup/barco/cgroup.subtree_control +memory",
                            "mkdir sys/fs/cgroup/barco/" + name,
                            "write sys/fs/cgroup/barco/" + name + "/pids.max 64");
            // io only measures: the host's root group is not changed for it
            assertThat(host.calls()).noneMatch(call -> call.endsWith("+io"));
        }
    }

    @Test
    void ioIsUsedWhereTheHostsRootEnablesItAndTheRootIsThenLeftAsItWas() {
        FakeHost host = FakeHost.v2(dir);
        host.kernelSets(host.cgroupfs().resolve("cgroup.subtree_control"), "cpu io memory pids\n");
        try (ContainerCgroup group = new Cgroups(host, "barco").create(ALL, false)) {
            assertThat(host.calls())
                    .noneMatch(call -> call.startsWith("write sys/fs/cgroup/cgroup.subtree_control"))
                    .contains("write sys/fs/cgroup/barco/cgroup.subtree_control +io");
            assertThat(group.describe()).isNotEmpty();
        }
    }

    @Test
    void readsWhatTheContainerUsedFromTheKernelsFiles() {
        FakeHost host = FakeHost.v2(dir);
        try (ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE, false)) {
            Path own = Path.of(group.describe());
            host.kernelSets(own.resolve("memory.peak"), "52428800\n");
            host.kernelSets(own.resolve("cpu.stat"), "usage_usec 2000\nuser_usec 1500\nsystem_usec 500\n");
            host.kernelSets(own.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
            host.kernelSets(own.resolve("pids.peak"), "7\n");
            host.kernelSets(
                    own.resolve("io.stat"), "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n");
            ResourceUsage usage = group.usage(Duration.ofMillis(20));
            assertThat(usage.peakMemoryBytes()).hasValue(52428800);
            assertThat(usage.cpuUser()).contains(Duration.ofNanos(1_500_000));
            assertThat(usage.cpuSystem()).contains(Duration.ofNanos(500_000));
            assertThat(usage.oomKills()).isEqualTo(1);
            assertThat(usage.peakTasks()).hasValue(7);
            assertThat(usage.peakTasksSampled()).isFalse();
            assertThat(usage.ioReadBytes()).hasValue(4097);
            assertThat(usage.ioWriteBytes()).hasValue(8194);
            assertThat(usage.wallTime()).isEqualTo(Duration.ofMillis(20));
        }
    }

    @Test
    void closingKillsWhatIsLeftWithCgroupKillThenRemovesTheGroup() {
        FakeHost host = FakeHost.v2(dir);
        ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE, false);
        Path own = Path.of(group.describe());
        int first = host.startTask(own);
        int forked = host.startTask(own);
        group.close();
        group.close();
        String name = "sys/fs/cgroup/barco/" + own.getFileName();
        assertThat(host.calls()).containsSubsequence("write " + name + "/cgroup.kill 1", "rmdir " + name);
        assertThat(host.calls())
                .filteredOn(c -> c.startsWith("rmdir"))
                .as("closed once")
                .hasSize(1);
        assertThat(own).doesNotExist();
        assertThat(host.calls()).doesNotContain("kill " + first + " 9", "kill " + forked + " 9");
    }

    @Test
    void aLimitTheKernelRefusesNamesTheFileAndLeavesNoGroup() {
        FakeHost host = FakeHost.v2(dir).failWrites("pids.max", "Invalid argument");
        assertThatThrownBy(() -> new Cgroups(host, "barco").create(Limits.NONE.withPids(64), false))
                .isInstanceOf(CgroupException.class)
                .hasMessageMatching(
                        "cannot write '64' to .*/sys/fs/cgroup/barco/barco-[0-9-]+/pids.max: Invalid argument");
        assertThat(host.calls().get(host.calls().size() - 1)).startsWith("rmdir sys/fs/cgroup/barco/barco-");
        assertThat(host.cgroupfs().resolve("barco")).isDirectoryNotContaining(Files::isDirectory);
    }

    @Test
    void aMissingControllerFailsTheLaunchUnlessAllowedThenItsLimitIsLeftOut() throws Exception {
        FakeHost host = FakeHost.v2(dir, "cpu", "io", "pids");
        Cgroups cgroups = new Cgroups(host, "barco");
        assertThatThrownBy(() -> cgroups.create(ALL, false))
                .isInstanceOf(CgroupException.class)
                .hasMessage("this host cannot enforce the memory limit: no memory controller in cgroup v2 ("
                        + host.cgroupfs() + "): drop the limit, or allow running without it");
        assertThat(host.calls()).as("nothing created").noneMatch(c -> c.startsWith("mkdir"));
        try (ContainerCgroup group = cgroups.create(ALL, true)) {
            assertThat(group.settings())
                    .containsExactly("cpu.weight to 256", "cpu.max to 50000 100000", "pids.max to 64");
            assertThat(Path.of(group.describe()).resolve("memory.max")).doesNotExist();
        }
    }

    @Test
    void aTaskThatNeverLeavesMakesRemovalFailNamingTheGroupAndTheTask() {
        FakeHost host = FakeHost.v2(dir);
        ContainerCgroup group = new Cgroups(host, "barco").create(Limits.NONE, false);
        Path own = Path.of(group.describe());
        int stuck = host.startTask(own);
        host.unkillable(stuck);
        assertThatThrownBy(group::close)
                .isInstanceOf(CgroupException.class)
                .hasMessage("cannot remove cgroup " + own + ": Device or resource busy (tasks left: [" + stuck + "])");
    }

    @Test
    void theParentGoesWhenItsLastGroupHasGone() {
        FakeHost host = FakeHost.v2(dir);
        Cgroups cgroups = new Cgroups(host, "barco");
        ContainerCgroup group = cgroups.create(Limits.NONE, false);
        cgroups.removeParentIfUnused();
        assertThat(host.cgroupfs().resolve("barco"))
                .as("a group is still in it")
                .isDirectory();
        group.close();
        cgroups.removeParentIfUnused();
        assertThat(host.cgroupfs().resolve("barco")).doesNotExist();
    }

    @Test
    void collectsOnlyTheGroupsOfLaunchersThatDiedKillingWhatRunsInThem() throws Exception {
        FakeHost host = FakeHost.v2(dir);
        Cgroups cgroups = new Cgroups(host, "barco");
        ContainerCgroup mine = cgroups.create(Limits.NONE, false);
        Path parent = host.cgroupfs().resolve("barco");
        host.mkdir(parent.resolve("barco-4194309-1-1")); // pid above PID_MAX_LIMIT: its launcher is gone
        int orphan = host.startTask(parent.resolve("barco-4194309-1-1"));
        host.mkdir(parent.resolve("not-barco"));
        List<Path> removed = cgroups.collectGarbage();
        assertThat(removed).containsExactly(parent.resolve("barco-4194309-1-1"));
        assertThat(host.calls())
                .containsSubsequence(
                        "write sys/fs/cgroup/barco/barco-4194309-1-1/cgroup.kill 1",
                        "rmdir sys/fs/cgroup/barco/barco-4194309-1-1");
        assertThat(host.waitStatus(orphan)).as("killed").isEqualTo(9);
        assertThat(Path.of(mine.describe())).isDirectory();
        assertThat(parent.resolve("not-barco")).isDirectory();
        mine.close();
    }

    @Test
    void theFirstLaunchCollectsDeadLaunchersGroups() throws Exception {
        FakeHost host = FakeHost.v2(dir);
        host.mkdir(host.cgroupfs().resolve("barco"));
        host.mkdir(host.cgroupfs().resolve("barco/barco-4194309-1-1"));
        Cgroups cgroups = new Cgroups(host, "barco");
        cgroups.create(Limits.NONE, false).close();
        assertThat(host.cgroupfs().resolve("barco/barco-4194309-1-1")).doesNotExist();
    }
}
