package io.barco.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.Setting;
import io.barco.seccomp.SeccompProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

    @Test
    void idmappedMountsComeWithTheKernelThatGaveThemToEachFilesystem() {
        assertThat(Mount.idmappable("ext4", "5.12.0")).isTrue();
        assertThat(Mount.idmappable("tmpfs", "6.1.0-13-amd64"))
                .as("Debian 12: /tmp on tmpfs has none")
                .isFalse();
        assertThat(Mount.idmappable("tmpfs", "6.12.57+deb13-amd64")).isTrue();
        assertThat(Mount.idmappable("overlay", "5.15.0")).isFalse();
        assertThat(Mount.idmappable("9p", "6.18.44")).isFalse();
        assertThat(Mount.idmappable("nfs", "6.18.44")).isFalse();
    }

    @Test
    void defaultsFollowTheSeedAndAreSafe() {
        ContainerSpec spec = ContainerSpec.builder("/bin/sh").build();
        assertThat(spec.rootfs()).isEqualTo(Path.of("/"));
        assertThat(spec.readOnlyRoot()).isTrue();
        assertThat(spec.rootMode()).isEqualTo(RootMode.READ_ONLY);
        assertThat(spec.rootOverlaySize()).isEqualTo(1L << 30);
        assertThat(spec.uid()).isZero();
        assertThat(spec.gid()).isZero();
        assertThat(spec.uidMapping()).isEqualTo(new IdMapping(0, 10000, 2000));
        assertThat(spec.hostname()).isEqualTo("barcontainer");
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        assertThat(spec.env()).containsOnlyKeys("PATH");
        assertThat(spec.workdir()).isEqualTo("/");
        assertThat(spec.capabilities()).isEqualTo(Capability.defaults()).doesNotContain(Capability.SYS_ADMIN);
        assertThat(spec.seccomp()).contains(SeccompProfile.defaults());
        assertThat(spec.timeout()).isEmpty();
        assertThat(spec.argv()).containsExactly("/bin/sh");
    }

    @Test
    void argv0IsTheSeedsDashA() {
        ContainerSpec spec =
                ContainerSpec.builder("/bin/sh").argv0(".").args("-c", "true").build();
        assertThat(spec.argv()).containsExactly(".", "-c", "true");
        assertThat(spec.command()).isEqualTo("/bin/sh");
    }

    @Test
    void uidIsAlsoTheGidUnlessSet() {
        assertThat(ContainerSpec.builder("x").uid(1000).build().gid()).isEqualTo(1000);
        assertThat(ContainerSpec.builder("x").uid(1000).gid(5).build().gid()).isEqualTo(5);
    }

    @Test
    void capabilitiesAreWhatContainerRootKeepsWhateverTheUid() {
        // what another uid keeps of them is the planner's decision (LaunchPlannerTest), not the getter's
        assertThat(ContainerSpec.builder("x").uid(1).build().capabilities()).isEqualTo(Capability.defaults());
        assertThat(ContainerSpec.builder("x")
                        .addCapabilities(Capability.SYS_ADMIN)
                        .build()
                        .capabilities())
                .contains(Capability.SYS_ADMIN);
        assertThat(ContainerSpec.builder("x")
                        .dropCapabilities(Capability.CHOWN)
                        .build()
                        .capabilities())
                .doesNotContain(Capability.CHOWN);
    }

    @Test
    void isImmutableAndCopiesAreIndependent() {
        ContainerSpec.Builder builder = ContainerSpec.builder("/bin/echo").args("a");
        ContainerSpec first = builder.build();
        builder.args("b").env("X", "1").tmpfs("/mnt");
        assertThat(first.args()).containsExactly("a");
        assertThat(first.env()).doesNotContainKey("X");
        assertThat(first.mounts()).isEmpty();
        ContainerSpec changed = first.toBuilder().hostname("other").build();
        assertThat(changed.hostname()).isEqualTo("other");
        assertThat(changed.args()).containsExactly("a");
        assertThat(first.hostname()).isEqualTo("barcontainer");
        assertThatThrownBy(() -> first.args().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderRoundTripsEveryField() {
        ContainerSpec spec = ContainerSpec.builder("/bin/sh")
                .argv0("x")
                .args("-c", "true")
                .uid(7)
                .gid(8)
                .rootfs("/srv")
                .readOnlyRoot(false)
                .rootOverlaySize(5 << 20)
                .hostname("h")
                .env("A", "1")
                .workdir("/tmp")
                .tmpfs("/mnt")
                .network(NetworkMode.HOST)
                .capabilities(Set.of(Capability.KILL))
                .seccomp(null)
                .timeout(Duration.ofSeconds(3))
                .stdio(Stdio.INHERIT)
                .idMapping(new IdMapping(0, 100000, 65536))
                .build();
        ContainerSpec copy = spec.toBuilder().build();
        assertThat(copy).usingRecursiveComparison().isEqualTo(spec);
    }

    @Test
    void aWritableRootIsAThrowawayOverlayAndWritingThroughIsOnlyEverAskedForByName() {
        assertThat(ContainerSpec.builder("x").writableRoot(true).build().rootMode())
                .isEqualTo(RootMode.OVERLAY);
        assertThat(ContainerSpec.builder("x").readOnlyRoot(false).build().rootMode())
                .isEqualTo(RootMode.OVERLAY);
        ContainerSpec through =
                ContainerSpec.builder("x").rootMode(RootMode.WRITE_THROUGH).build();
        assertThat(through.readOnlyRoot()).isFalse();
        assertThat(through.toString()).contains("(rw, written through)");
        assertThat(ContainerSpec.builder("x")
                        .writableRoot(true)
                        .rootOverlaySize(256 << 20)
                        .build()
                        .toString())
                .contains("(rw overlay, 256M)");
        assertThatThrownBy(
                        () -> ContainerSpec.builder("x").rootOverlaySize(4096).build())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("writable root size 4096 bytes is too small: give at least 1M, e.g. 256M");
    }

    @Test
    void rejectsWhatCannotWork() {
        assertThatThrownBy(() -> ContainerSpec.builder("").build()).hasMessageContaining("no command given");
        assertThatThrownBy(() -> ContainerSpec.builder("x").uid(2000).build())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("uid 2000 is outside the mapped range 0..1999: pick a uid in it or widen the mapping");
        assertThatThrownBy(() -> ContainerSpec.builder("x").gid(-1).build()).hasMessageContaining("gid -1 is outside");
        assertThatThrownBy(
                        () -> ContainerSpec.builder("x").hostname("has space").build())
                .hasMessageContaining("invalid hostname");
        assertThatThrownBy(() ->
                        ContainerSpec.builder("x").hostname("a".repeat(65)).build())
                .hasMessageContaining("invalid hostname");
        assertThatThrownBy(() -> ContainerSpec.builder("x").workdir("relative").build())
                .hasMessageContaining("not absolute");
        assertThatThrownBy(() -> ContainerSpec.builder("x").env("A=B", "1").build())
                .hasMessageContaining("invalid environment variable name");
        assertThatThrownBy(() -> ContainerSpec.builder("x").args("a\0b").build())
                .hasMessageContaining("NUL");
        assertThatThrownBy(
                        () -> ContainerSpec.builder("x").timeout(Duration.ZERO).build())
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> new IdMapping(0, 10000, 0)).hasMessageContaining("invalid id mapping");
    }

    @Test
    void containerPathsNeverEscapeTheRoot() {
        assertThat(ContainerPaths.normalize("/../../etc//passwd/.")).isEqualTo("/etc/passwd");
        assertThat(ContainerPaths.normalize("/")).isEqualTo("/");
    }

    @Test
    void capabilitiesParseAndMask() {
        assertThat(Capability.parse("cap_sys_admin", Setting.CAP_ADD)).isEqualTo(Capability.SYS_ADMIN);
        assertThat(Capability.parse("NET_ADMIN", Setting.CAP_ADD)).isEqualTo(Capability.NET_ADMIN);
        assertThatThrownBy(() -> Capability.parse("FLY", Setting.CAP_DROP))
                .hasMessageContaining("unknown capability 'FLY'")
                .satisfies(e -> assertThat(((InvalidSpecException) e).setting()).contains(Setting.CAP_DROP));
        assertThat(Capability.mask(Set.of(Capability.CHOWN, Capability.CHECKPOINT_RESTORE)))
                .isEqualTo(1L | (1L << 40));
        // the seed's list is dropped; so are the capabilities Linux gained after it
        assertThat(Capability.DROPPED_BY_DEFAULT)
                .contains(Capability.SYS_ADMIN, Capability.MKNOD, Capability.BPF)
                .doesNotContain(Capability.CHOWN, Capability.NET_BIND_SERVICE);
    }

    private static final ImageRoot IMAGE = new ImageRoot(
            "oci:/srv/layout:1",
            "sha256:" + "a".repeat(64),
            List.of(Path.of("/cache/layers/b/root")),
            List.of("PATH=/bin", "GREETING=hello", "KEEP=1"),
            "srv/app",
            "7:8",
            List.of("/entry"),
            List.of("arg"));

    @Test
    void anImagesConfigurationGivesDefaultsThatTheSpecOverridesInAnyOrder() {
        ContainerSpec defaults = ContainerSpec.builder("/bin/sh").image(IMAGE).build();
        assertThat(defaults.image()).hasValue(IMAGE);
        assertThat(defaults.env())
                .containsExactly(
                        java.util.Map.entry("PATH", "/bin"),
                        java.util.Map.entry("GREETING", "hello"),
                        java.util.Map.entry("KEEP", "1"));
        assertThat(defaults.workdir()).isEqualTo("/srv/app");
        assertThat(defaults.uid()).isEqualTo(7);
        assertThat(defaults.gid()).isEqualTo(8);
        assertThat(IMAGE.defaultCommand()).containsExactly("/entry", "arg");

        ContainerSpec before = ContainerSpec.builder("/bin/sh")
                .env("GREETING", "hi")
                .workdir("/tmp")
                .uid(0)
                .image(IMAGE)
                .build();
        ContainerSpec after = ContainerSpec.builder("/bin/sh")
                .image(IMAGE)
                .env("GREETING", "hi")
                .workdir("/tmp")
                .uid(0)
                .build();
        for (ContainerSpec spec : List.of(before, after)) {
            assertThat(spec.env()).containsEntry("GREETING", "hi").containsEntry("KEEP", "1");
            assertThat(spec.workdir()).isEqualTo("/tmp");
            assertThat(spec.uid()).isZero();
            assertThat(spec.gid()).isZero();
        }
        assertThat(after.toBuilder().build().env()).isEqualTo(after.env());
        assertThat(ContainerSpec.builder("/bin/sh").image(IMAGE).gid(3).build().gid())
                .isEqualTo(3);
    }

    @Test
    void anImageIsNeverWrittenThroughNorRunAsANamedUser() {
        assertThatThrownBy(() -> ContainerSpec.builder("/bin/sh")
                        .image(IMAGE)
                        .rootMode(RootMode.WRITE_THROUGH)
                        .build())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("never written");
        ImageRoot named = new ImageRoot(
                "x", "sha256:" + "b".repeat(64), IMAGE.layers(), List.of(), null, "nginx", List.of(), List.of());
        assertThatThrownBy(() -> ContainerSpec.builder("/bin/sh").image(named).build())
                .hasMessageContaining("names its user 'nginx', which is not numeric");
        assertThat(ContainerSpec.builder("/bin/sh")
                        .image(named)
                        .uid(101)
                        .build()
                        .uid())
                .isEqualTo(101);
    }
}
