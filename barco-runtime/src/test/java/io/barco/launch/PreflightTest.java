package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoException;
import io.barco.plan.HostFacts;
import io.barco.spec.ContainerSpec;
import io.barco.spec.InvalidSpecException;
import io.barco.testing.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What preflight says about a host and a spec's paths, asked of a fake host. */
class PreflightTest {
    @TempDir
    Path dir;

    @Test
    void aHostThatCanRunContainersHasNoProblemAndIsAskedOnce() {
        FakeHost host = FakeHost.v2(dir);
        Preflight preflight = new Preflight(host);
        assertThat(preflight.hostProblem()).isNull();
        assertThat(preflight.hostProblem()).isNull();
        assertThat(host.calls()).containsExactly("uname");
    }

    @Test
    void anotherSystemIsToldAboutTheVm() {
        FakeHost host = FakeHost.v2(dir).os("Mac OS X", "14.4");
        assertThat(new Preflight(host).hostProblem())
                .isEqualTo("barco needs Linux; this is Mac OS X (on a laptop use the Vagrant VM in vagrant/)");
    }

    @Test
    void aKernelOlderThanMountSetattrIsNamed() {
        FakeHost host = FakeHost.v2(dir).os("Linux", "5.10.0-28-amd64");
        assertThat(new Preflight(host).hostProblem())
                .isEqualTo("barco needs Linux 5.12 or newer; this kernel is 5.10.0-28-amd64");
        assertThat(new Preflight(FakeHost.v2(dir.resolve("b")).os("Linux", "5.12.0")).hostProblem())
                .isNull();
        assertThat(Preflight.kernelAtLeast("6.1.0-13-amd64", Preflight.MIN_KERNEL))
                .isTrue();
        assertThat(Preflight.kernelAtLeast("4.19.0", Preflight.MIN_KERNEL)).isFalse();
        assertThat(Preflight.kernelAtLeast("weird", Preflight.MIN_KERNEL))
                .as("unknown: let the launch say")
                .isTrue();
    }

    @Test
    void aUserOtherThanRootIsToldWhy() {
        FakeHost host = FakeHost.v2(dir).euid(1000);
        assertThat(new Preflight(host).hostProblem())
                .isEqualTo("barco must run as root to map container ids to host ids"
                        + " 10000 and up: run it with sudo, or in the Vagrant VM");
    }

    @Test
    void rootWithoutTheCapabilitiesOfRootIsToldWhereThatHappensAndWhatToDo() {
        FakeHost host = FakeHost.v2(dir);
        // Docker's default set for a container without --privileged
        host.kernelSets(
                host.proc().resolve("self/status"),
                "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t00000000a80425fb\n");
        assertThat(new Preflight(host).hostProblem())
                .isEqualTo(
                        "barco runs as root but without CAP_SYS_ADMIN (a Docker or"
                                + " Kubernetes container without --privileged drops them): run it with --privileged, or on the host, or in the Vagrant VM");
        host.kernelSets(host.proc().resolve("self/status"), "CapEff:\t000001ffffffffff\n");
        assertThat(new Preflight(host).hostProblem()).isNull();
    }

    @Test
    void disabledUserNamespacesAreNamedWithTheSysctl() {
        FakeHost host = FakeHost.v2(dir);
        host.kernelSets(host.proc().resolve("sys/user/max_user_namespaces"), "0\n");
        Preflight preflight = new Preflight(host);
        assertThat(preflight.hostProblem())
                .isEqualTo("user namespaces are disabled on this host"
                        + " (user.max_user_namespaces = 0): sysctl -w user.max_user_namespaces=15000");
        assertThatThrownBy(
                        () -> preflight.check(ContainerSpec.builder("/bin/true").build()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage(preflight.hostProblem());
    }

    @Test
    void theSpecsHostPathsMustExist() throws Exception {
        Preflight preflight = new Preflight(FakeHost.v2(dir));
        Path file = Files.writeString(dir.resolve("file"), "");
        assertThatThrownBy(() -> preflight.check(ContainerSpec.builder("/bin/true")
                        .rootfs(dir.resolve("none"))
                        .build()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("rootfs " + dir.resolve("none") + " does not exist");
        assertThatThrownBy(() -> preflight.check(
                        ContainerSpec.builder("/bin/true").rootfs(file).build()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("rootfs " + file + " is not a directory");
        assertThatThrownBy(() -> preflight.check(ContainerSpec.builder("/bin/true")
                        .bind(dir.resolve("gone"), "/srv", true)
                        .build()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("bind source " + dir.resolve("gone") + " does not exist");
        // the directories the container mounts its own filesystems on: a rootfs made by hand may lack some
        Files.createDirectories(dir.resolve("proc"));
        Files.createDirectories(dir.resolve("sys"));
        assertThatThrownBy(() -> preflight.check(
                        ContainerSpec.builder("/bin/true").rootfs(dir).build()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("rootfs " + dir + " lacks the directories /dev, /tmp, /run, where"
                        + " the container mounts filesystems of its own: create them in the rootfs");
        for (String mountPoint : new String[] {"dev", "tmp", "run"}) {
            Files.createDirectories(dir.resolve(mountPoint));
        }
        preflight.check(ContainerSpec.builder("/bin/true")
                .rootfs(dir)
                .bind(file, "/srv/file", true)
                .build());
    }

    @Test
    void anOverlayOnAKernelWhoseTmpfsHasNoUserXattrsIsToldWhatItCannotDo() throws Exception {
        ContainerSpec writable =
                ContainerSpec.builder("/bin/true").writableRoot(true).build();
        // a bind mode "overlay": its layers on a tmpfs of the spec
        ContainerSpec overlaid = ContainerSpec.builder("/bin/true")
                .mount(io.barco.spec.Mount.bindAsContainerRoot(dir, "/srv"))
                .mount(io.barco.spec.Mount.tmpfs("/layers"))
                .mount(io.barco.spec.Mount.overlay("/srv", "/layers"))
                .build();
        // a forked JVM's working directory: its layers in a bind of a host directory, here on the disk
        ContainerSpec onDisk = ContainerSpec.builder("/bin/true")
                .mount(io.barco.spec.Mount.bind(dir, "/result", false))
                .mount(io.barco.spec.Mount.bindAsContainerRoot(dir, "/srv"))
                .mount(io.barco.spec.Mount.overlay("/srv", "/result"))
                .build();
        ContainerSpec plain = ContainerSpec.builder("/bin/true").build();
        FakeHost oldHost = FakeHost.v2(dir).os("Linux", "6.1.0-57-amd64");
        Preflight old = new Preflight(oldHost);
        HostFacts facts = HostFacts.of(oldHost);
        assertThat(old.overlayCaveat(writable, facts))
                .hasValueSatisfying(line -> assertThat(line)
                        .startsWith("barco: on Linux 6.1.0-57-amd64 a container's overlay")
                        .contains("cannot remove or rename a directory")
                        .contains("from Linux 6.6"));
        assertThat(old.overlayCaveat(overlaid, facts)).isPresent();
        assertThat(old.overlayCaveat(plain, facts)).isEmpty();
        FakeHost newHost = FakeHost.v2(dir.resolve("b")).os("Linux", "6.6.0");
        assertThat(new Preflight(newHost).overlayCaveat(writable, HostFacts.of(newHost)))
                .isEmpty();
        FakeHost debian13 = FakeHost.v2(dir.resolve("c")).os("Linux", "6.12.57+deb13-amd64");
        assertThat(new Preflight(debian13).overlayCaveat(overlaid, HostFacts.of(debian13)))
                .isEmpty();
        assertThat(old.overlayCaveat(onDisk, facts)).isEmpty();
        // ... and on a tmpfs of the host (a /tmp that is one, as on Debian 13)
        FakeHost tmpfsHost = FakeHost.v2(dir.resolve("d")).os("Linux", "6.1.0-57-amd64");
        Path mountinfo = tmpfsHost.proc().resolve("self/mountinfo");
        Files.writeString(mountinfo, Files.readString(mountinfo) + "90 24 0:90 / " + dir + " rw - tmpfs tmpfs rw\n");
        assertThat(new Preflight(tmpfsHost).overlayCaveat(onDisk, HostFacts.of(tmpfsHost)))
                .isPresent();
    }
}
