package io.barco.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoException;
import io.barco.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text to spec, as every front end gives it, without launching anything. */
class SpecOptionsTest {

    private static ContainerSpec spec(SpecOptions options) {
        return options.builder("/bin/true").build();
    }

    @Test
    void oneTableOfDefaultsTheSeedsLimitsForTheCliNoneForTheRest() {
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.SEED)).limits()).isEqualTo(Limits.SEED);
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)).limits())
                .isEqualTo(Limits.NONE);
        assertThat(SpecOptions.Defaults.SEED.of(Setting.MEMORY)).contains("1G");
        assertThat(SpecOptions.Defaults.SEED.of(Setting.CPU_WEIGHT)).contains("256");
        assertThat(SpecOptions.Defaults.SEED.of(Setting.PIDS)).contains("64");
        assertThat(SpecOptions.Defaults.UNLIMITED.of(Setting.MEMORY)).isEmpty();
        // the rest is the spec's own default, shown as a user would write it
        assertThat(SpecOptions.Defaults.UNLIMITED.of(Setting.ID_MAP)).contains("0:10000:2000");
        assertThat(SpecOptions.Defaults.SEED.of(Setting.HOSTNAME)).contains(ContainerSpec.DEFAULT_HOSTNAME);
        ContainerSpec plain = ContainerSpec.builder("/bin/true").build();
        ContainerSpec translated = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED));
        assertThat(translated.toString()).isEqualTo(plain.toString());
        assertThat(translated.capabilities()).isEqualTo(plain.capabilities());
        assertThat(translated.seccomp()).isEqualTo(plain.seccomp());
    }

    @Test
    void maxLiftsALimitAnOuterLayerSet() {
        SpecOptions options = SpecOptions.of(SpecOptions.Defaults.SEED)
                .set(Setting.MEMORY, "max")
                .set(Setting.PIDS, "MAX")
                .set(Setting.CPU_WEIGHT, "max")
                .set(Setting.CPUS, "max");
        assertThat(spec(options).limits()).isEqualTo(Limits.NONE);
        Limits swap = spec(SpecOptions.of(SpecOptions.Defaults.SEED).set(Setting.MEMORY_SWAP, "max"))
                .limits();
        assertThat(swap.memorySwapLimit().orElseThrow()).isGreaterThan(1L << 40);
        Limits set = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                        .set(Setting.MEMORY, "64M")
                        .set(Setting.MEMORY_SWAP, "128M")
                        .set(Setting.CPUS, "0.5")
                        .set(Setting.PIDS, "10"))
                .limits();
        assertThat(set)
                .isEqualTo(Limits.NONE
                        .withMemory(64L << 20)
                        .withMemorySwap(128L << 20)
                        .withCpus(0.5)
                        .withPids(10));
    }

    @Test
    void listsAddUpInOrderAndAllMeansEveryCapability() {
        SpecOptions options = SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .add(Setting.CAP_DROP, "ALL")
                .add(Setting.CAP_ADD, "chown, kill")
                .add(Setting.BINDS, "/a:/b:ro")
                .add(Setting.TMPFS, "/t")
                .add(Setting.BINDS, "/c:/d")
                .add(Setting.SECCOMP_DENY, "mkdir,rmdir")
                .add(Setting.ENV, "A=1=2")
                .add(Setting.ENV, "HOME");
        ContainerSpec spec = SpecOptions.of(SpecOptions.Defaults.UNLIMITED, Map.of("HOME", "/root")::get)
                .add(Setting.ENV, "HOME")
                .add(Setting.ENV, "UNSET")
                .builder("/bin/true")
                .build();
        assertThat(spec.env()).containsEntry("HOME", "/root").doesNotContainKey("UNSET");
        ContainerSpec built = spec(options);
        assertThat(built.capabilities()).containsExactlyInAnyOrder(Capability.CHOWN, Capability.KILL);
        assertThat(built.mounts())
                .containsExactly(
                        Mount.bind(Path.of("/a"), "/b", true),
                        Mount.tmpfs("/t"),
                        Mount.bind(Path.of("/c"), "/d", false));
        assertThat(built.seccomp().orElseThrow().rules())
                .extracting(r -> r.syscall())
                .endsWith("mkdir", "rmdir");
        assertThat(built.env()).containsEntry("A", "1=2");
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED).add(Setting.CAP_ADD, "all"))
                        .capabilities())
                .containsAll(java.util.EnumSet.allOf(Capability.class));
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED).set(Setting.NO_SECCOMP, "true"))
                        .seccomp())
                .isEmpty();
    }

    @Test
    void relativeHostPathsResolveWhereTheOptionsWereGivenWhenToldWhere() {
        ContainerSpec spec = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .relativeTo(Path.of("/srv/project"))
                .set(Setting.ROOTFS, "rootfs")
                .add(Setting.BINDS, "data:/data:ro")
                .add(Setting.BINDS, "/abs:/abs"));
        assertThat(spec.rootfs()).isEqualTo(Path.of("/srv/project/rootfs"));
        assertThat(spec.mounts())
                .containsExactly(
                        Mount.bind(Path.of("/srv/project/data"), "/data", true),
                        Mount.bind(Path.of("/abs"), "/abs", false));
    }

    @Test
    void bindsReadTheSrcDstModeForm() {
        assertThat(SpecOptions.bind("/a:/b")).isEqualTo(Mount.bind(Path.of("/a"), "/b", false));
        assertThat(SpecOptions.bind("/a:/b/../c/:rw").target()).isEqualTo("/c");
    }

    @Test
    void bindsMayBeIdmappedOrThrowawayOverlaysAndMountParentsFirst() {
        assertThat(SpecOptions.bind("/a:/b:ro,idmap")).isEqualTo(Mount.bindAsContainerRoot(Path.of("/a"), "/b"));
        assertThat(SpecOptions.bind("/a:/b:rw,idmap"))
                .isEqualTo(new Mount(Mount.Kind.BIND, Path.of("/a"), "/b", false, true));
        ContainerSpec spec = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .add(Setting.BINDS, "/root/.m2:/root/.m2:ro,idmap")
                .add(Setting.BINDS, "/p:/p:overlay")
                .add(Setting.TMPFS, "/root")
                .add(Setting.BINDS, "/x:/root/.m2/x:ro"));
        assertThat(spec.mounts())
                .containsExactly(
                        Mount.tmpfs("/run/barco/overlay/1"),
                        Mount.bindAsContainerRoot(Path.of("/p"), "/p"),
                        Mount.overlay("/p", "/run/barco/overlay/1"),
                        Mount.tmpfs("/root"),
                        Mount.bindAsContainerRoot(Path.of("/root/.m2"), "/root/.m2"),
                        Mount.bind(Path.of("/x"), "/root/.m2/x", true));
    }

    @Test
    void scalarsReplaceEarlierLayers() {
        ContainerSpec spec = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .set(Setting.UID, "5")
                .set(Setting.UID, "7")
                .set(Setting.GID, "8")
                .set(Setting.ID_MAP, "0:100000:65536")
                .set(Setting.ROOTFS, "/srv/../srv")
                .set(Setting.WRITABLE_ROOT, "true")
                .set(Setting.HOSTNAME, "h")
                .set(Setting.WORKDIR, "/w")
                .set(Setting.NETWORK, "HOST")
                .set(Setting.TIMEOUT, "2m")
                .set(Setting.ALLOW_MISSING_CONTROLLERS, "true"));
        assertThat(spec.uid()).isEqualTo(7);
        assertThat(spec.gid()).isEqualTo(8);
        assertThat(spec.uidMapping()).isEqualTo(new IdMapping(0, 100000, 65536));
        assertThat(spec.rootfs()).isEqualTo(Path.of("/srv"));
        assertThat(spec.rootMode()).isEqualTo(RootMode.OVERLAY);
        assertThat(spec.hostname()).isEqualTo("h");
        assertThat(spec.workdir()).isEqualTo("/w");
        assertThat(spec.network()).isEqualTo(NetworkMode.HOST);
        assertThat(spec.timeout()).contains(Duration.ofMinutes(2));
        assertThat(spec.allowMissingControllers()).isTrue();
    }

    @Test
    void aWritableRootIsTheThrowawayOverlayOf1GUnlessTheRootfsIsWrittenThroughByName() {
        assertThat(SpecOptions.Defaults.SEED.of(Setting.WRITABLE_ROOT_SIZE)).contains("1G");
        assertThat(SpecOptions.Defaults.UNLIMITED.of(Setting.WRITABLE_ROOT_SIZE))
                .contains("1G");
        ContainerSpec overlay = spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .set(Setting.WRITABLE_ROOT, "true")
                .set(Setting.WRITABLE_ROOT_SIZE, "256M"));
        assertThat(overlay.rootMode()).isEqualTo(RootMode.OVERLAY);
        assertThat(overlay.rootOverlaySize()).isEqualTo(256L << 20);
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED).set(Setting.WRITE_THROUGH_ROOT, "true"))
                        .rootMode())
                .isEqualTo(RootMode.WRITE_THROUGH);
        assertThat(spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)).rootMode())
                .isEqualTo(RootMode.READ_ONLY);
        assertThatThrownBy(() -> spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                        .set(Setting.WRITABLE_ROOT, "true")
                        .set(Setting.WRITE_THROUGH_ROOT, "true")))
                .hasMessage(
                        "a writable root is either a throwaway overlay or the rootfs itself written through, not both: keep one")
                .satisfies(e -> assertThat(((BarcoException) e).setting()).contains(Setting.WRITE_THROUGH_ROOT));
    }

    /** Every bad value names its setting and no front end's syntax: the front end says how to change it. */
    @Test
    void aBadValueNamesItsSetting() {
        assertBad(Setting.UID, "abc", "invalid uid 'abc': give a whole number, 0 or more");
        assertBad(Setting.UID, "-1", "invalid uid '-1': give a whole number, 0 or more");
        assertBad(Setting.GID, "x", "invalid gid 'x': give a whole number, 0 or more");
        assertBad(Setting.ID_MAP, "0:1", "invalid id mapping '0:1': use INSIDE:OUTSIDE:COUNT, e.g. 0:10000:2000");
        assertBad(Setting.ID_MAP, "a:b:c", "invalid id mapping 'a:b:c': use three numbers, e.g. 0:10000:2000");
        assertBad(Setting.TIMEOUT, "5x", "invalid timeout '5x': use e.g. 30, 500ms, 1.5s, 2m30s or 1h");
        assertBad(Setting.TIMEOUT, "0", "invalid timeout '0': it must be positive");
        assertBad(Setting.MEMORY, "1X", "invalid size '1X': use bytes or a number with K, M, G or T, e.g. 512M or 1G");
        assertBad(Setting.MEMORY, "1K", "memory limit 1024 is too small: give at least 4K, e.g. 64M");
        assertBad(Setting.PIDS, "lots", "invalid pids 'lots': give a whole number or max");
        assertBad(Setting.PIDS, "0", "pids limit 0 must be at least 1");
        assertBad(Setting.CPU_WEIGHT, "20000", "cpu weight 20000 is outside 1..10000");
        assertBad(Setting.CPUS, "many", "invalid cpus 'many': give a number of cores such as 0.5, or max");
        assertBad(Setting.NETWORK, "bridge", "unknown network mode 'bridge': use none or host");
        assertBad(Setting.HOSTNAME, "a_b", "invalid hostname 'a_b': use up to 64 letters, digits, dots and dashes");
        assertBad(Setting.WORKDIR, "srv", "working directory 'srv' is not absolute: give a path such as /srv");
        assertBad(Setting.WRITABLE_ROOT, "yes", "invalid writable root 'yes': give true or false");
        assertBad(
                Setting.WRITABLE_ROOT_SIZE,
                "4k",
                "invalid writable root size '4k': give at least 1M, such as 256M or 2G");
        assertBad(
                Setting.WRITABLE_ROOT_SIZE,
                "big",
                "invalid writable root size 'big': give at least 1M, such as 256M or 2G");
        assertBad(Setting.WRITE_THROUGH_ROOT, "maybe", "invalid write through root 'maybe': give true or false");
        assertBadItem(Setting.BINDS, "/etc", "invalid bind '/etc': use SRC:DST or SRC:DST:ro");
        assertBadItem(
                Setting.BINDS,
                "/a:/b:x",
                "invalid bind mode 'x' in '/a:/b:x': use ro, rw or overlay, "
                        + "or ro,idmap or rw,idmap to give the files of the source's owner to the container's user");
        assertBadItem(
                Setting.BINDS,
                "/a:/b:overlay,idmap",
                "invalid bind mode 'overlay,idmap' in '/a:/b:overlay,idmap': use ro, rw or "
                        + "overlay, or ro,idmap or rw,idmap to give the files of the source's owner to the container's user");
        assertBadItem(
                Setting.BINDS,
                "/a:b",
                "mount target 'b' is not absolute: give a path inside the container such as /data");
        assertBadItem(
                Setting.TMPFS, "t", "mount target 't' is not absolute: give a path inside the container such as /data");
        assertBadItem(
                Setting.CAP_ADD,
                "CAP_FLY",
                "unknown capability 'CAP_FLY': use a name such as NET_ADMIN or CAP_SYS_ADMIN");
        assertBadItem(
                Setting.CAP_DROP, "FLY", "unknown capability 'FLY': use a name such as NET_ADMIN or CAP_SYS_ADMIN");
        assertBadItem(
                Setting.SECCOMP_DENY,
                "Mk Dir",
                "invalid system call name 'Mk Dir': use a name such as mkdir or ptrace");
        assertBadItem(Setting.ENV, "=x", "invalid environment variable name '': use NAME=VALUE");
        assertBadItem(Setting.ENV, "", "invalid environment variable name '': use NAME=VALUE");
    }

    @Test
    void anExecsOwnSettingsAreReadAsAContainersAndWhatItDoesNotSetIsLeftToItsContainer() {
        ContainerSpec container =
                ContainerSpec.builder("/bin/sleep").uid(7).workdir("/srv").build();
        SpecOptions options = SpecOptions.forExec(Map.of("FROM_HOST", "h")::get)
                .set(Setting.UID, " 1000 ")
                .set(Setting.WORKDIR, "/etc")
                .add(Setting.ENV, "FOO=bar=baz")
                .add(Setting.ENV, "FROM_HOST")
                .add(Setting.ENV, "UNSET");
        ContainerSpec spec = options.execBuilder("id").args("-u").build().applyTo(container);
        assertThat(spec.uid()).isEqualTo(1000);
        assertThat(spec.gid()).isEqualTo(1000);
        assertThat(spec.workdir()).isEqualTo("/etc");
        assertThat(spec.env())
                .containsEntry("FOO", "bar=baz")
                .containsEntry("FROM_HOST", "h")
                .doesNotContainKey("UNSET");
        assertThat(spec.argv()).containsExactly("id", "-u");
        ContainerSpec nothingSet =
                SpecOptions.forExec(name -> null).execBuilder("id").build().applyTo(container);
        assertThat(nothingSet.uid()).isEqualTo(7);
        assertThat(nothingSet.workdir()).isEqualTo("/srv");
        assertThat(SpecOptions.forExec(name -> null)
                        .set(Setting.GID, "5")
                        .execBuilder("id")
                        .build()
                        .applyTo(container)
                        .gid())
                .isEqualTo(5);
    }

    @Test
    void anExecRefusesBadValuesAsAContainerDoesAndSettingsThatAreTheContainersAlone() {
        assertThatThrownBy(() -> SpecOptions.forExec(name -> null)
                        .set(Setting.UID, "abc")
                        .execBuilder("id"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("invalid uid 'abc': give a whole number, 0 or more");
        assertThatThrownBy(() -> SpecOptions.forExec(name -> null)
                        .add(Setting.ENV, "=x")
                        .execBuilder("id")
                        .build())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("invalid environment variable name '': use NAME=VALUE");
        assertThatThrownBy(() -> SpecOptions.forExec(name -> null)
                        .set(Setting.ROOTFS, "/srv")
                        .execBuilder("id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ROOTFS is the container's");
        assertThatThrownBy(() -> SpecOptions.forExec(name -> null)
                        .add(Setting.BINDS, "/a:/b")
                        .execBuilder("id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BINDS is the container's");
    }

    private static void assertBad(Setting setting, String value, String message) {
        assertThatThrownBy(() ->
                        spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED).set(setting, value)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(message)
                .satisfies(e ->
                        assertThat(((BarcoException) e).setting()).as(message).contains(setting));
    }

    private static void assertBadItem(Setting setting, String value, String message) {
        assertThatThrownBy(() ->
                        spec(SpecOptions.of(SpecOptions.Defaults.UNLIMITED).add(setting, value)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(message)
                .satisfies(e ->
                        assertThat(((BarcoException) e).setting()).as(message).contains(setting));
    }

    @Test
    void anImageIsResolvedOnceAndItsDefaultsYieldOnlyToSettingsGiven() {
        ImageRoot image = new ImageRoot(
                "oci:/l:1",
                "sha256:" + "c".repeat(64),
                java.util.List.of(Path.of("/cache/l/root")),
                java.util.List.of("A=1"),
                "/srv",
                "5",
                java.util.List.of(),
                java.util.List.of());
        java.util.List<String> asked = new java.util.ArrayList<>();
        SpecOptions options = SpecOptions.of(SpecOptions.Defaults.SEED).images(ref -> {
            asked.add(ref);
            return image;
        });
        options.set(Setting.IMAGE, "oci:/l:1");
        ContainerSpec spec = options.builder("/bin/sh").build();
        assertThat(spec.image()).hasValue(image);
        assertThat(spec.uid())
                .as("the image's User, not the table's default uid")
                .isEqualTo(5);
        assertThat(spec.workdir()).isEqualTo("/srv");
        assertThat(spec.env()).containsEntry("A", "1");
        options.set(Setting.UID, "0").set(Setting.WORKDIR, "/tmp").add(Setting.ENV, "A=2");
        ContainerSpec given = options.builder("/bin/sh").build();
        assertThat(given.uid()).isZero();
        assertThat(given.workdir()).isEqualTo("/tmp");
        assertThat(given.env()).containsEntry("A", "2");
        assertThat(asked).containsExactly("oci:/l:1");

        options.set(Setting.ROOTFS, "/srv/root");
        assertThatThrownBy(() -> options.builder("/bin/sh"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("a rootfs directory or an image, not both")
                .satisfies(e -> assertThat(((BarcoException) e).setting()).hasValue(Setting.IMAGE));
    }
}
