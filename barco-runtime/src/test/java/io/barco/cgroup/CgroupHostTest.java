package io.barco.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupHostTest {
    /** This project's CI machine: controllers in v1, the unified hierarchy holds only hugetlb. */
    private static final String HYBRID_MOUNTINFO = String.join(
            "\n",
            "25 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "33 30 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "34 30 0:30 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "35 30 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "36 30 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");

    private static final String HYBRID_CGROUP = String.join(
            "\n", "9:name=systemd:/", "8:pids:/", "4:memory:/process_api/6b9e", "2:cpuacct:/", "1:cpu:/", "0::/");

    @Test
    void hybridHostUsesV1BelowTheCallersOwnGroups() {
        CgroupHost host = CgroupHost.parse(HYBRID_MOUNTINFO, HYBRID_CGROUP);
        assertThat(host.usesV2()).as("v2 without controllers is not usable").isFalse();
        assertThat(host.unified()).contains(Path.of("/sys/fs/cgroup/unified"));
        assertThat(host.v1()).containsOnlyKeys("cpu", "cpuacct", "memory", "pids");
        assertThat(host.v1().get("memory").ownDirectory()).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/6b9e"));
        assertThat(host.v1().get("pids").ownDirectory()).isEqualTo(Path.of("/sys/fs/cgroup/pids"));
    }

    @Test
    void combinedHierarchiesAreOneGroup() {
        CgroupHost host = CgroupHost.parse(
                String.join(
                        "\n",
                        "31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
                        "33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"),
                "3:cpu,cpuacct:/user.slice\n2:memory:/user.slice\n");
        assertThat(host.v1().get("cpu")).isSameAs(host.v1().get("cpuacct"));
        assertThat(host.v1().get("cpu").controllers()).isEqualTo("cpu,cpuacct");
        assertThat(host.v1().get("cpu").ownDirectory()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice"));
    }

    @Test
    void unifiedHostUsesV2() {
        CgroupHost parsed =
                CgroupHost.parse("40 25 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate", "0::/user.slice\n");
        CgroupHost host = new CgroupHost(parsed.unified(), java.util.Set.of("cpu", "memory", "pids"), parsed.v1());
        assertThat(host.usesV2()).isTrue();
        assertThat(host.unified()).contains(Path.of("/sys/fs/cgroup"));
        assertThat(host.v1()).isEmpty();
    }

    @Test
    void aSubtreeMountShowsOurGroupRelativeToItsRoot() {
        // inside a container whose cgroup namespace was not unshared
        CgroupHost host = CgroupHost.parse(
                "33 30 0:29 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory",
                "4:memory:/docker/abc/inner\n");
        assertThat(host.v1().get("memory").ownDirectory()).isEqualTo(Path.of("/sys/fs/cgroup/memory/inner"));
    }

    @Test
    void weightBecomesSharesAsRuncConvertsIt() {
        assertThat(CgroupV1.sharesOf(1)).isEqualTo(2);
        assertThat(CgroupV1.sharesOf(100)).isEqualTo(2597);
        assertThat(CgroupV1.sharesOf(256)).isEqualTo(6687);
        assertThat(CgroupV1.sharesOf(10000)).isEqualTo(262144);
    }

    @Test
    void groupNamesCarryTheirOwner() {
        String name = CgroupNames.next();
        assertThat(CgroupNames.isBarcoGroup(name)).isTrue();
        CgroupNames names = new CgroupNames(Path.of("/proc"));
        assertThat(names.ownerAlive(name)).isTrue();
        assertThat(names.ownerAlive("barco-999999999-12345-1")).isFalse();
        String self = Long.toString(ProcessHandle.current().pid());
        assertThat(names.ownerAlive("barco-" + self + "-1-1"))
                .as("same pid, other start time")
                .isFalse();
        assertThat(CgroupNames.isBarcoGroup("barco")).isFalse();
    }

    @Test
    void aLimitTheHostCannotEnforceNamesTheMissingController() {
        CgroupHost noCpu = CgroupHost.parse(
                String.join(
                        "\n",
                        "33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
                        "34 30 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids"),
                "4:memory:/\n8:pids:/\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Cgroups(
                                new io.barco.sys.LinuxHost(), Cgroups.DEFAULT_PARENT)
                        .create(noCpu, io.barco.spec.Limits.NONE.withCpus(0.5).withPids(10), false))
                .isInstanceOf(CgroupException.class)
                .hasMessage("this host cannot enforce the cpu limit: no cpu controller in cgroup v1 (memory, pids)"
                        + ": drop the limit, or allow running without it")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((CgroupException) e).setting())
                        .contains(io.barco.Setting.ALLOW_MISSING_CONTROLLERS));
    }
}
