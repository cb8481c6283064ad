package io.barco.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.RootMode;
import io.barco.spec.Stdio;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan is pure data: every policy decision is checked here without privileges. */
class LaunchPlannerTest {
    private static final byte[] FILTER = new byte[16];

    private static HostFacts host(boolean terminal) {
        return host(terminal, List.of());
    }

    private static HostFacts host(boolean terminal, List<HostFacts.MountPoint> mounts) {
        return new HostFacts() {
            @Override
            public List<MountPoint> mounts() {
                return mounts;
            }

            @Override
            public int capLastCap() {
                return 40;
            }

            @Override
            public boolean isDirectory(Path path) {
                return !path.toString().endsWith(".txt");
            }

            @Override
            public boolean inForegroundOfTerminal() {
                return terminal;
            }
        };
    }

    private static LaunchPlan plan(ContainerSpec.Builder spec) {
        return LaunchPlanner.plan(spec.build(), host(false), FILTER);
    }

    private static List<Op> ops(LaunchPlan plan) {
        return plan.steps().stream().map(Step::op).toList();
    }

    private static int index(LaunchPlan plan, String description) {
        for (int i = 0; i < plan.steps().size(); i++) {
            if (plan.step(i).description().equals(description)) {
                return i;
            }
        }
        throw new AssertionError("no step '" + description + "' in " + plan.steps());
    }

    /** The step {@code description} names, which must be of {@code kind}. */
    private static <T extends Step> T step(LaunchPlan plan, String description, Class<T> kind) {
        return kind.cast(plan.step(index(plan, description)));
    }

    private static <T extends Step> T first(LaunchPlan plan, Class<T> kind) {
        return plan.stepsOf(kind).get(0);
    }

    @Test
    void aBindsIdmapGivesTheHostsRootToTheContainersUserAndKeepsAUserOwnersFilesAsTheSameIdInside() {
        io.barco.spec.IdMapping seed = io.barco.spec.IdMapping.DEFAULT; // 0..1999 inside is 10000..11999
        // a root-owned source (/root/.m2): root's files are the container user's, as before
        assertThat(LaunchPlanner.ownerMap(0, 10000, seed)).isEqualTo("0 10000 1\n");
        // a project vagrant (1000) owns, built through sudo: its target/ is root's, its sources 1000's
        assertThat(LaunchPlanner.ownerMap(1000, 10000, seed)).isEqualTo("0 10000 1\n1000 11000 1\n");
        // the container's user is uid 1000 itself: the owner's files are its own
        assertThat(LaunchPlanner.ownerMap(1000, 11000, seed)).isEqualTo("1000 11000 1\n");
        // an owner the mapping does not hold stays unmapped, as any other id
        assertThat(LaunchPlanner.ownerMap(5000, 10000, seed)).isEqualTo("0 10000 1\n");
    }

    @Test
    void helperTakesTheTreesThenClonesWritesIdMapsAndReleases() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        assertThat(ops(plan).subList(0, 5))
                .containsExactly(Op.OPEN_TREE, Op.CLONE, Op.WRITE_PROC, Op.WRITE_PROC, Op.RELEASE);
        assertThat(first(plan, Step.OpenTree.class).path()).isEqualTo("/");
        assertThat(first(plan, Step.OpenTree.class).readOnly())
                .as("read-only rootfs")
                .isTrue();
        assertThat(plan.step(1).description())
                .isEqualTo("clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWIPC|CLONE_NEWUTS|CLONE_NEWNET)");
        assertThat(plan.stepsOf(Step.WriteProc.class))
                .extracting(Step.WriteProc::file, Step.WriteProc::content)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("uid_map", "0 10000 2000\n"),
                        org.assertj.core.groups.Tuple.tuple("gid_map", "0 10000 2000\n"));
        assertThat(ops(plan)).endsWith(Op.EXEC);
    }

    @Test
    void writeThroughRootAndHostNetwork() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true")
                .rootMode(RootMode.WRITE_THROUGH)
                .network(NetworkMode.HOST));
        assertThat(first(plan, Step.OpenTree.class).readOnly()).isFalse();
        assertThat(first(plan, Step.Clone.class).namespaces() & LaunchPlanner.CLONE_NEWNET)
                .isZero();
        assertThat(ops(plan)).doesNotContain(Op.LOOPBACK_UP);
        // the host's sysfs shows the host's network: bound read-only rather than mounted fresh
        assertThat(plan.stepsOf(Step.OpenTree.class))
                .extracting(Step.OpenTree::path)
                .containsExactly("/", "/sys");
    }

    private static final List<HostFacts.MountPoint> HOST_MOUNTS = List.of(
            new HostFacts.MountPoint("/", "ext4"),
            new HostFacts.MountPoint("/proc", "proc"),
            new HostFacts.MountPoint("/sys/fs/cgroup", "cgroup2"),
            new HostFacts.MountPoint("/tmp", "tmpfs"),
            new HostFacts.MountPoint("/home/a/b", "xfs"),
            new HostFacts.MountPoint("/home", "btrfs"),
            new HostFacts.MountPoint("/boot", "vfat"),
            new HostFacts.MountPoint("/boot", "ext4"),
            new HostFacts.MountPoint("/mnt/nfs", "nfs4"),
            new HostFacts.MountPoint("/srv/odd,dir", "ext4"));

    private static LaunchPlan overlayPlan(ContainerSpec.Builder spec, List<HostFacts.MountPoint> mounts) {
        return LaunchPlanner.plan(spec.writableRoot(true).build(), host(false, mounts), FILTER);
    }

    @Test
    void writableRootIsAnOverlayOnATmpfsOfItsOwnWithTheRootfsReadOnlyAndIdmappedBelow() {
        LaunchPlan plan = overlayPlan(ContainerSpec.builder("/bin/true").rootOverlaySize(64 << 20), List.of());
        Step.OpenTree root = first(plan, Step.OpenTree.class);
        assertThat(root.path()).isEqualTo("/");
        assertThat(root.recursive()).as("without its submounts").isFalse();
        assertThat(root.readOnly())
                .as("read-only, so the host's files cannot change")
                .isTrue();
        Step.IdmapTree idmap = first(plan, Step.IdmapTree.class);
        assertThat(idmap.tree()).isZero();
        assertThat(idmap.uidMap()).as("the container's own uid mapping").isEqualTo("0 10000 2000\n");
        assertThat(idmap.gidMap()).isEqualTo("0 10000 2000\n");
        assertThat(plan.indexOf(Op.IDMAP_TREE)).isBetween(plan.indexOf(Op.CLONE), plan.indexOf(Op.RELEASE));

        int lower = index(plan, "mount rootfs / read-only on /tmp/lower");
        String layersTmpfs = "mount the writable root's tmpfs (size 64M) on /tmp/layers";
        int layers = index(plan, layersTmpfs);
        String rootOverlay = "mount overlay on / (lower layer /tmp/lower, upper /tmp/layers/0/upper)";
        int overlay = index(plan, rootOverlay);
        int proc = index(plan, "mount proc on /proc");
        assertThat(List.of(
                        index(plan, "mount the staging tmpfs on /tmp"),
                        lower,
                        layers,
                        overlay,
                        proc,
                        plan.indexOf(Op.PIVOT_ROOT)))
                .isSorted();
        assertThat(step(plan, layersTmpfs, Step.Mount.class).data()).isEqualTo("size=67108864,mode=0700");
        assertThat(step(plan, rootOverlay, Step.Mount.class).target()).isEqualTo("/tmp/root");
        assertThat(step(plan, rootOverlay, Step.Mount.class).data())
                .isEqualTo("lowerdir=/tmp/lower,upperdir=/tmp/layers/0/upper,workdir=/tmp/layers/0/work,userxattr");
        assertThat(plan.stepsOf(Step.Detach.class))
                .as("an overlay has no submounts to detach")
                .isEmpty();
    }

    private static final io.barco.spec.ImageRoot IMAGE = new io.barco.spec.ImageRoot(
            "oci:/srv/layout:1",
            "sha256:" + "a".repeat(64),
            List.of(Path.of("/cache/layers/b/root"), Path.of("/cache/layers/t/root")),
            List.of("PATH=/bin", "GREETING=hello"),
            "/srv/app",
            "7:8",
            List.of(),
            List.of("/bin/sh"));

    @Test
    void anImageRootStacksItsLayersIdmappedUnderAnOverlayMadeReadOnlyOnceItsFilesAreWritten() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true").image(IMAGE).rootOverlaySize(8 << 20));
        List<Step.OpenTree> trees = plan.stepsOf(Step.OpenTree.class);
        assertThat(trees)
                .extracting(Step.OpenTree::path)
                .containsExactly("/cache/layers/b/root", "/cache/layers/t/root");
        assertThat(trees).allSatisfy(t -> {
            assertThat(t.recursive()).as("without submounts").isFalse();
            assertThat(t.readOnly()).as("read-only").isTrue();
        });
        assertThat(plan.stepsOf(Step.IdmapTree.class))
                .as("the image's root is container root")
                .hasSize(2)
                .allSatisfy(idmap -> assertThat(idmap.uidMap()).isEqualTo("0 10000 2000\n"));
        String imageOverlay = "mount overlay of image oci:/srv/layout:1 (sha256:" + "a".repeat(64)
                + ", 2 layers) on / (upper /tmp/layers/0/upper)";
        int overlay = index(plan, imageOverlay);
        assertThat(step(plan, imageOverlay, Step.Mount.class).data())
                .as("the top layer first")
                .isEqualTo("lowerdir=/tmp/lower/1:/tmp/lower/0,upperdir=/tmp/layers/0/upper,"
                        + "workdir=/tmp/layers/0/work,userxattr");
        int procPoint = index(plan, "create mount point /proc in the image's upper layer");
        int hosts = index(plan, "write /etc/hosts");
        int readOnly = index(plan, "make the image's root read-only");
        int workdir = index(plan, "mkdir the working directory's /srv/app");
        assertThat(List.of(procPoint, overlay, plan.indexOf(Op.PIVOT_ROOT), hosts, workdir, readOnly))
                .isSorted();
        Step.Mount remount = step(plan, "make the image's root read-only", Step.Mount.class);
        assertThat(remount.target()).isEqualTo("/");
        assertThat(remount.flags() & LaunchPlanner.MS_RDONLY).isNotZero();
        assertThat(plan.stepsOf(Step.BindIfExists.class)).isEmpty();

        LaunchPlan writable =
                plan(ContainerSpec.builder("/bin/true").image(IMAGE).writableRoot(true));
        assertThat(writable.steps()).noneMatch(st -> st.description().equals("make the image's root read-only"));
    }

    /** A Docker container's view: its root on overlayfs, whose mounts cannot be idmapped. */
    private static final List<HostFacts.MountPoint> DOCKER_MOUNTS = List.of(
            new HostFacts.MountPoint("/", "overlay"),
            new HostFacts.MountPoint("/proc", "proc"),
            new HostFacts.MountPoint("/builds", "ext4"));

    @Test
    void aReadOnlyBindThatAsksForIdmapOnOverlayfsIsBoundAsItIsAndElsewhereIdmapped() {
        ContainerSpec.Builder spec = ContainerSpec.builder("/bin/true")
                .mount(Mount.bindAsContainerRoot(Path.of("/root/.m2/repository"), "/m2"))
                .mount(Mount.bindAsContainerRoot(Path.of("/builds/project"), "/project"));
        LaunchPlan plan = LaunchPlanner.plan(spec.build(), host(false, DOCKER_MOUNTS), FILTER);
        assertThat(plan.stepsOf(Step.IdmapTree.class))
                .extracting(Step::description)
                .as("only the one on ext4: the jars on overlayfs stay readable as others may read them")
                .containsExactly(
                        "idmap bind source /builds/project (owner 0) for the container's user (host uid 10000)");
        assertThat(plan.stepsOf(Step.AttachTree.class))
                .extracting(Step::description)
                .anyMatch(d -> d.contains("/m2"));
    }

    @Test
    void aBindOnOverlayfsThatMustBeWrittenAsTheContainersIsRefusedInOneLine() {
        Mount lower = Mount.bindAsContainerRoot(Path.of("/src/app"), "/work");
        assertThatThrownBy(() -> LaunchPlanner.plan(
                        ContainerSpec.builder("/bin/true")
                                .mount(lower)
                                .tmpfs("/run/layers")
                                .mount(Mount.overlay("/work", "/run/layers"))
                                .build(),
                        host(false, DOCKER_MOUNTS),
                        FILTER))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(
                        "bind source /src/app is on overlay, which has no idmapped mounts, so an overlay on it cannot copy up the"
                                + " files the host's root owns: bind it read-only or plain rw, or use a directory on btrfs, ext2, ext3,"
                                + " ext4, f2fs, tmpfs, vfat, xfs");
        assertThatThrownBy(() -> LaunchPlanner.plan(
                        ContainerSpec.builder("/bin/true")
                                .mount(new Mount(Mount.Kind.BIND, Path.of("/src/app"), "/work", false, true))
                                .build(),
                        host(false, DOCKER_MOUNTS),
                        FILTER))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("so the container's root cannot write the files the host's root owns");
    }

    @Test
    void aWritableRootOnOverlayfsIsRefusedInOneLine() {
        assertThatThrownBy(() -> overlayPlan(ContainerSpec.builder("/bin/true"), DOCKER_MOUNTS))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith(
                        "a writable root is an overlay on the rootfs /, whose filesystem (overlay) has no idmapped mounts");
    }

    @Test
    void writableRootWritesItsHostsFileIntoTheOverlayAfterPivotRatherThanBindingIt() {
        LaunchPlan plan = overlayPlan(ContainerSpec.builder("/bin/true").hostname("box"), List.of());
        assertThat(ops(plan)).doesNotContain(Op.BIND_IF_EXISTS);
        int hosts = index(plan, "write /etc/hosts");
        assertThat(hosts).isGreaterThan(plan.indexOf(Op.PIVOT_ROOT)).isLessThan(plan.indexOf(Op.EXEC));
        Step.WriteFile file = step(plan, "write /etc/hosts", Step.WriteFile.class);
        assertThat(file.path()).isEqualTo("/etc/hosts");
        assertThat(file.inContainerRoot())
                .as("inside the root: links resolve there, a missing /etc is no failure")
                .isTrue();
        assertThat(file.content()).contains("localhost box");
    }

    @Test
    void writableRootOverlaysEachSubmountParentsFirstAndBindsReadOnlyWhatCannotBeALayer() {
        LaunchPlan plan = overlayPlan(ContainerSpec.builder("/bin/true"), HOST_MOUNTS);
        // /proc, /sys/fs/cgroup and /tmp are the container's own; /boot is the ext4 mounted over the vfat
        assertThat(plan.stepsOf(Step.OpenTree.class))
                .extracting(Step.OpenTree::path)
                .containsExactly("/", "/home", "/boot", "/mnt/nfs", "/srv/odd,dir", "/home/a/b");
        assertThat(plan.stepsOf(Step.OpenTree.class)).allSatisfy(s -> {
            assertThat(s.recursive()).isFalse();
            assertThat(s.readOnly()).isTrue();
        });
        assertThat(plan.stepsOf(Step.IdmapTree.class))
                .extracting(Step.IdmapTree::tree)
                .containsExactly(0, 1, 2, 5);
        assertThat(plan.stepsOf(Step.Mount.class))
                .filteredOn(s -> "overlay".equals(s.fstype()))
                .extracting(Step.Mount::target)
                .containsExactly("/tmp/root", "/tmp/root/home", "/tmp/root/boot", "/tmp/root/home/a/b");
        Step.Mount nfs =
                step(plan, "bind the rootfs's /mnt/nfs (nfs4, no idmapped mounts) read-only", Step.Mount.class);
        assertThat(nfs.source()).isEqualTo("/tmp/lower/mnt/nfs");
        assertThat(nfs.flags()).isEqualTo(LaunchPlanner.MS_BIND | LaunchPlanner.MS_REC);
        assertThat(index(plan, "bind the rootfs's /srv/odd,dir (ext4, no idmapped mounts) read-only"))
                .isPositive();
        assertThat(index(plan, "mount the rootfs's /home/a/b read-only on /tmp/lower/home/a/b"))
                .isGreaterThan(index(plan, "mount the rootfs's /home read-only on /tmp/lower/home"));
        assertThat(step(
                                plan,
                                "mount overlay on /home/a/b (lower layer /tmp/lower/home/a/b, upper /tmp/layers/3/upper)",
                                Step.Mount.class)
                        .data())
                .startsWith("lowerdir=/tmp/lower/home/a/b,upperdir=/tmp/layers/3/upper,");
    }

    @Test
    void writableRootOfADirectoryTakesOnlyTheMountsBelowIt() {
        LaunchPlan plan = overlayPlan(ContainerSpec.builder("/bin/true").rootfs("/home/a"), HOST_MOUNTS);
        assertThat(plan.stepsOf(Step.OpenTree.class))
                .extracting(Step.OpenTree::path)
                .containsExactly("/home/a", "/home/a/b");
        assertThat(index(plan, "mount overlay on /b (lower layer /tmp/lower/b, upper /tmp/layers/1/upper)"))
                .isPositive();
    }

    @Test
    void writableRootOnAFilesystemWithoutIdmappedMountsIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> overlayPlan(ContainerSpec.builder("/bin/true").rootfs("/mnt/nfs/image"), HOST_MOUNTS))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith(
                        "a writable root is an overlay on the rootfs /mnt/nfs/image, whose filesystem (nfs4) has no "
                                + "idmapped mounts")
                .hasMessageContaining("or a read-only root");
    }

    @Test
    void mountInfoParsesMountPointsWithEscapesAndOptionalFields() {
        String text = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
                + "28 27 0:25 / /mnt/a\\040b ro,nosuid - tmpfs none ro,size=4k\n";
        assertThat(HostFacts.parseMountInfo(text))
                .containsExactly(new HostFacts.MountPoint("/", "ext4"), new HostFacts.MountPoint("/mnt/a b", "tmpfs"));
    }

    @Test
    void privateNetworkGetsLoopbackBeforePivot() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        assertThat(plan.indexOf(Op.LOOPBACK_UP)).isPositive().isLessThan(plan.indexOf(Op.PIVOT_ROOT));
    }

    @Test
    void filesystemIsAssembledUnderTheStagingRootThenPivoted() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        int makePrivate = index(plan, "make the mount namespace private");
        int staging = index(plan, "mount the staging tmpfs on /tmp");
        int rootfs = index(plan, "mount rootfs / on /");
        int proc = index(plan, "mount proc on /proc");
        int pivot = plan.indexOf(Op.PIVOT_ROOT);
        assertThat(List.of(makePrivate, staging, rootfs, proc, pivot)).isSorted();
        assertThat(step(plan, "mount proc on /proc", Step.Mount.class).target()).isEqualTo("/tmp/root/proc");
        assertThat(first(plan, Step.PivotRoot.class).newRoot()).isEqualTo("/tmp/root");
        assertThat(index(plan, "mount tmpfs on /tmp")).isBetween(proc, pivot);
        assertThat(index(plan, "mount tmpfs on /run")).isBetween(proc, pivot);
        assertThat(index(plan, "mount sysfs on /sys")).isBetween(proc, pivot);
        assertThat(step(plan, "mount sysfs on /sys", Step.Mount.class).flags() & LaunchPlanner.MS_RDONLY)
                .isEqualTo(LaunchPlanner.MS_RDONLY);
    }

    @Test
    void devHasTheMinimalDevicesVerifiedByNumber() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        assertThat(plan.stepsOf(Step.BindDevice.class))
                .extracting(Step.BindDevice::device)
                .containsExactly("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");
        Step.BindDevice nullDevice = first(plan, Step.BindDevice.class);
        assertThat(nullDevice.rdev()).as("makedev(1, 3)").isEqualTo((1 << 8) | 3);
        assertThat(plan.stepsOf(Step.Mount.class))
                .extracting(Step.Mount::fstype)
                .contains("devpts", "mqueue");
    }

    @Test
    void ociMaskedAndReadOnlyPathsComeAfterProcAndSys() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        assertThat(plan.stepsOf(Step.Mask.class))
                .extracting(Step.Mask::path)
                .contains("/tmp/root/proc/kcore", "/tmp/root/proc/keys", "/tmp/root/sys/firmware");
        assertThat(plan.stepsOf(Step.Mask.class))
                .allMatch(s -> "/dev/null".equals(s.nullDevice()) && s.nullRdev() == ((1 << 8) | 3));
        assertThat(plan.stepsOf(Step.ReadOnly.class))
                .extracting(Step.ReadOnly::path)
                .containsExactly(
                        "/tmp/root/proc/bus",
                        "/tmp/root/proc/fs",
                        "/tmp/root/proc/irq",
                        "/tmp/root/proc/sys",
                        "/tmp/root/proc/sysrq-trigger");
        assertThat(plan.indexOf(Op.MASK)).isGreaterThan(index(plan, "mount sysfs on /sys"));
    }

    @Test
    void bindsAreTakenByTheHelperAndAttachedAfterTheDefaults() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true")
                .mount(Mount.bind(Path.of("/data/dir"), "/mnt/in", true))
                .mount(Mount.bind(Path.of("/data/file.txt"), "/tmp/file.txt", false))
                .tmpfs("/scratch"));
        assertThat(plan.stepsOf(Step.OpenTree.class))
                .extracting(Step.OpenTree::path, Step.OpenTree::readOnly)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/", true),
                        org.assertj.core.groups.Tuple.tuple("/data/dir", true),
                        org.assertj.core.groups.Tuple.tuple("/data/file.txt", false));
        List<Step.AttachTree> attaches = plan.stepsOf(Step.AttachTree.class);
        assertThat(attaches).extracting(Step.AttachTree::tree).containsExactly(0, 1, 2);
        assertThat(attaches)
                .extracting(Step.AttachTree::target)
                .containsExactly("/tmp/root", "/tmp/root/mnt/in", "/tmp/root/tmp/file.txt");
        // a directory gets a directory mount point, a file a file
        assertThat(plan.step(plan.steps().indexOf(attaches.get(1)) - 1).op()).isEqualTo(Op.MKDIR);
        assertThat(plan.step(plan.steps().indexOf(attaches.get(2)) - 1).op()).isEqualTo(Op.MKFILE);
        assertThat(plan.steps().indexOf(attaches.get(1))).isGreaterThan(index(plan, "mount tmpfs on /tmp"));
        assertThat(index(plan, "mount tmpfs on /scratch")).isGreaterThan(index(plan, "mount tmpfs on /run"));
    }

    @Test
    void privilegesAreDroppedInTheOrderThatSurvivesExec() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true"));
        List<Op> tail =
                ops(plan).subList(plan.indexOf(Op.DROP_BOUNDING), plan.steps().size());
        assertThat(tail)
                .containsExactly(
                        Op.DROP_BOUNDING, Op.SET_IDS, Op.SET_CAPS, Op.NO_NEW_PRIVS, Op.CLOSE_FDS, Op.SECCOMP, Op.EXEC);
        long keep = Capability.mask(Capability.defaults());
        assertThat(first(plan, Step.DropBounding.class).keep()).isEqualTo(keep);
        assertThat(first(plan, Step.DropBounding.class).lastCap()).isEqualTo(40);
        assertThat(first(plan, Step.SetCaps.class).keep()).isEqualTo(keep);
        // the first SET_IDS makes the process container root, before it creates any file
        assertThat(plan.stepsOf(Step.SetIds.class)).hasSize(2);
        assertThat(plan.indexOf(Op.SET_IDS)).isEqualTo(plan.indexOf(Op.RELEASE) + 1);
    }

    @Test
    void nonRootKeepsNoCapabilities() {
        LaunchPlan plan = plan(ContainerSpec.builder("/bin/true").uid(1000).addCapabilities(Capability.SYS_ADMIN));
        assertThat(first(plan, Step.DropBounding.class).keep()).isZero();
        assertThat(first(plan, Step.SetCaps.class).keep()).isZero();
        Step.SetIds setIds = plan.stepsOf(Step.SetIds.class).get(1);
        assertThat(setIds.uid()).isEqualTo(1000);
        assertThat(setIds.gid()).isEqualTo(1000);
    }

    @Test
    void noSeccompStepWithoutAProfile() {
        LaunchPlan plan = LaunchPlanner.plan(
                ContainerSpec.builder("/bin/true").seccomp(null).build(), host(false), null);
        assertThat(ops(plan)).doesNotContain(Op.SECCOMP).contains(Op.NO_NEW_PRIVS);
    }

    @Test
    void execCarriesArgvEnvpAndThePathToSearch() {
        LaunchPlan plan = plan(
                ContainerSpec.builder("sh").argv0(".").args("-c", "echo hi").env("A", "1"));
        Step.Exec exec = first(plan, Step.Exec.class);
        assertThat(exec.file()).isEqualTo("sh");
        assertThat(exec.argv()).containsExactly(".", "-c", "echo hi");
        assertThat(exec.envp()).containsExactly("PATH=" + ContainerSpec.DEFAULT_PATH, "A=1");
        assertThat(exec.searchPath()).isEqualTo(ContainerSpec.DEFAULT_PATH);
        assertThat(exec.description()).isEqualTo("execve(sh)");
    }

    @Test
    void anInheritedTerminalIsTheContainersConsoleSoTtyFindsIt() {
        io.barco.sys.Terminal.Device pts = new io.barco.sys.Terminal.Device(Path.of("/dev/pts/3"), 34819);
        HostFacts onTerminal = new HostFacts() {
            @Override
            public int capLastCap() {
                return 40;
            }

            @Override
            public boolean isDirectory(Path path) {
                return true;
            }

            @Override
            public boolean inForegroundOfTerminal() {
                return true;
            }

            @Override
            public java.util.Optional<io.barco.sys.Terminal.Device> stdinTerminal() {
                return java.util.Optional.of(pts);
            }
        };
        LaunchPlan inherit = LaunchPlanner.plan(
                ContainerSpec.builder("/bin/sh").stdio(Stdio.INHERIT).build(), onTerminal, FILTER);
        Step.BindDevice console = step(inherit, "bind the terminal /dev/pts/3 on /dev/console", Step.BindDevice.class);
        assertThat(console.rdev()).isEqualTo(34819);
        assertThat(console.device()).isEqualTo("/dev/pts/3");
        assertThat(console.target()).isEqualTo(LaunchPlanner.NEW_ROOT + "/dev/console");
        // its own streams: no terminal of ours, no console
        LaunchPlan piped = LaunchPlanner.plan(ContainerSpec.builder("/bin/sh").build(), onTerminal, FILTER);
        assertThat(piped.steps()).noneMatch(s -> s.description().contains("/dev/console"));
    }

    @Test
    void terminalForegroundOnlyForAnInheritedTerminal() {
        ContainerSpec inherit =
                ContainerSpec.builder("/bin/sh").stdio(Stdio.INHERIT).build();
        assertThat(ops(LaunchPlanner.plan(inherit, host(true), FILTER)))
                .contains(Op.FOREGROUND)
                .doesNotContain(Op.SETSID);
        assertThat(ops(LaunchPlanner.plan(inherit, host(false), FILTER))).doesNotContain(Op.FOREGROUND, Op.SETSID);
        assertThat(ops(plan(ContainerSpec.builder("/bin/sh"))))
                .contains(Op.SETSID)
                .doesNotContain(Op.FOREGROUND);
    }

    @Test
    void hostnameAndWorkdir() {
        LaunchPlan plan =
                plan(ContainerSpec.builder("/bin/true").hostname("box").workdir("/srv"));
        assertThat(first(plan, Step.SetHostname.class).hostname()).isEqualTo("box");
        assertThat(first(plan, Step.Chdir.class).path()).isEqualTo("/srv");
        assertThat(plan.indexOf(Op.CHDIR)).isGreaterThan(plan.indexOf(Op.PIVOT_ROOT));
    }

    @Test
    void encodingIsWhatTheHelperParses() {
        LaunchPlan plan = new LaunchPlan(List.of(new Step.Mkdir("/a", 0755, "mkdir /a")));
        byte[] wire = PlanEncoder.encode(plan);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(wire).order(java.nio.ByteOrder.nativeOrder());
        assertThat(b.getInt()).isEqualTo(0x31435242);
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(b.getInt()).isEqualTo(Op.MKDIR.code());
        assertThat(b.getLong()).as("the mode").isEqualTo(0755);
        assertThat(b.getLong()).isZero();
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(new byte[] {b.get(), b.get(), b.get()}).containsExactly('/', 'a', 0);
        assertThat(b.getInt()).as("absent string").isZero();
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isZero();
        assertThat(b.remaining()).isZero();
    }

    @Test
    void cgroupPlacementComesBeforeReleaseAndTheCgroupNamespaceAfter() {
        CgroupPlacement placement = new CgroupPlacement(
                List.of("/sys/fs/cgroup/memory/a/barco-1/cgroup.procs", "/sys/fs/cgroup/pids/barco-1/cgroup.procs"),
                List.of(
                        new CgroupPlacement.Filesystem("memory", "cgroup", "memory"),
                        new CgroupPlacement.Filesystem("pids", "cgroup", "pids")));
        LaunchPlan plan =
                LaunchPlanner.plan(ContainerSpec.builder("/bin/true").build(), host(false), FILTER, placement);
        List<Step.WritePid> writes = plan.stepsOf(Step.WritePid.class);
        assertThat(writes).extracting(Step.WritePid::path).containsExactlyElementsOf(placement.procsFiles());
        assertThat(writes.get(0).description())
                .isEqualTo("add the container to cgroup /sys/fs/cgroup/memory/a/barco-1");
        int release = plan.indexOf(Op.RELEASE);
        assertThat(plan.steps().indexOf(writes.get(1))).isLessThan(release);
        assertThat(plan.steps().indexOf(writes.get(0))).isGreaterThan(plan.indexOf(Op.CLONE));
        // the cgroup namespace is created once the process is in its groups, so they are its root
        assertThat(first(plan, Step.Unshare.class).namespaces()).isEqualTo(LaunchPlanner.CLONE_NEWCGROUP);
        assertThat(plan.indexOf(Op.UNSHARE)).isGreaterThan(release).isLessThan(plan.indexOf(Op.ATTACH_TREE));
        // v1: a tmpfs holding one read-only mount per hierarchy, then made read-only itself
        assertThat(index(plan, "mount tmpfs on /sys/fs/cgroup")).isGreaterThan(index(plan, "mount sysfs on /sys"));
        Step.Mount memory = step(plan, "mount cgroup on /sys/fs/cgroup/memory", Step.Mount.class);
        assertThat(memory.data()).isEqualTo("memory");
        assertThat(memory.flags() & LaunchPlanner.MS_RDONLY).isEqualTo(LaunchPlanner.MS_RDONLY);
        Step.Mount readOnly = step(plan, "make /sys/fs/cgroup read-only", Step.Mount.class);
        assertThat(plan.steps().indexOf(readOnly)).isGreaterThan(index(plan, "mount cgroup on /sys/fs/cgroup/pids"));
        assertThat(readOnly.flags() & (LaunchPlanner.MS_REMOUNT | LaunchPlanner.MS_RDONLY))
                .isEqualTo(LaunchPlanner.MS_REMOUNT | LaunchPlanner.MS_RDONLY);
    }

    @Test
    void cgroupV2IsOneReadOnlyMount() {
        CgroupPlacement placement = new CgroupPlacement(
                List.of("/sys/fs/cgroup/barco/barco-1/cgroup.procs"),
                List.of(new CgroupPlacement.Filesystem("", "cgroup2", null)));
        LaunchPlan plan =
                LaunchPlanner.plan(ContainerSpec.builder("/bin/true").build(), host(false), FILTER, placement);
        Step.Mount mount = step(plan, "mount cgroup2 on /sys/fs/cgroup", Step.Mount.class);
        assertThat(mount.target()).isEqualTo("/tmp/root/sys/fs/cgroup");
        assertThat(mount.flags() & LaunchPlanner.MS_RDONLY).isEqualTo(LaunchPlanner.MS_RDONLY);
        assertThat(plan.steps()).noneMatch(s -> s.description().equals("mount tmpfs on /sys/fs/cgroup"));
    }

    @Test
    void aRunningContainersPlanWatchesItsLauncherAndEndsInInitInItsOwnSession() {
        LaunchPlan plan = LaunchPlanner.planInit(
                ContainerSpec.builder("unused").stdio(Stdio.INHERIT).build(), host(true), FILTER, CgroupPlacement.NONE);
        assertThat(ops(plan).get(0)).isEqualTo(Op.WATCH_LAUNCHER);
        assertThat(ops(plan).get(ops(plan).size() - 1)).isEqualTo(Op.INIT);
        assertThat(ops(plan)).contains(Op.SETSID, Op.SECCOMP, Op.NO_NEW_PRIVS).doesNotContain(Op.EXEC, Op.FOREGROUND);
        assertThat(ops(plan).indexOf(Op.SECCOMP)).isLessThan(ops(plan).indexOf(Op.INIT));
    }

    @Test
    void anExecJoinsCgroupsThenNamespacesThenClonesAndDropsPrivilegesAsALaunchDoes() {
        ContainerSpec spec =
                ContainerSpec.builder("/bin/sh").workdir("/tmp").uid(1000).build();
        LaunchPlan plan = LaunchPlanner.planExec(
                spec, host(false), FILTER, List.of("/sys/fs/cgroup/pids/barco-1-2-3/exec-1/cgroup.procs"), 5);
        assertThat(ops(plan))
                .containsExactly(
                        Op.WRITE_PID,
                        Op.SETNS,
                        Op.CLONE,
                        Op.RELEASE,
                        Op.SET_IDS,
                        Op.CHDIR,
                        Op.SETSID,
                        Op.DROP_BOUNDING,
                        Op.SET_IDS,
                        Op.SET_CAPS,
                        Op.NO_NEW_PRIVS,
                        Op.CLOSE_FDS,
                        Op.SECCOMP,
                        Op.EXEC);
        Step.Setns setns = first(plan, Step.Setns.class);
        assertThat(setns.fd()).isEqualTo(5);
        assertThat(setns.namespaces())
                .isEqualTo(LaunchPlanner.CLONE_NEWUSER
                        | LaunchPlanner.CLONE_NEWNS
                        | LaunchPlanner.CLONE_NEWPID
                        | LaunchPlanner.CLONE_NEWIPC
                        | LaunchPlanner.CLONE_NEWUTS
                        | LaunchPlanner.CLONE_NEWCGROUP
                        | LaunchPlanner.CLONE_NEWNET);
        assertThat(first(plan, Step.Chdir.class).path()).isEqualTo("/tmp");
        assertThat(plan.stepsOf(Step.SetIds.class).get(1).uid()).isEqualTo(1000);
    }

    @Test
    void anExecsOwnUidKeepsCapabilitiesOnlyWhenItIsZeroAsTheContainersCommand() {
        ContainerSpec root = ContainerSpec.builder("/bin/sleep").build();
        LaunchPlan asUser = LaunchPlanner.planExec(
                ExecSpec.builder("id").uid(1000).build().applyTo(root), host(false), FILTER, List.of(), 5);
        Step.SetIds setIds = asUser.stepsOf(Step.SetIds.class).get(1);
        assertThat(setIds.uid()).isEqualTo(1000);
        assertThat(setIds.gid()).isEqualTo(1000);
        assertThat(first(asUser, Step.SetCaps.class).keep()).isZero();
        assertThat(first(asUser, Step.DropBounding.class).keep()).isZero();

        ContainerSpec user = ContainerSpec.builder("/bin/sleep").uid(1000).build();
        LaunchPlan asRoot = LaunchPlanner.planExec(
                ExecSpec.builder("id").uid(0).build().applyTo(user), host(false), FILTER, List.of(), 5);
        assertThat(asRoot.stepsOf(Step.SetIds.class).get(1).uid()).isZero();
        assertThat(first(asRoot, Step.SetCaps.class).keep())
                .isEqualTo(Capability.mask(user.capabilities()))
                .isNotZero();
    }

    @Test
    void anExecIntoAContainerOnTheHostsNetworkJoinsNoNetworkNamespace() {
        ContainerSpec spec =
                ContainerSpec.builder("/bin/sh").network(NetworkMode.HOST).build();
        LaunchPlan plan = LaunchPlanner.planExec(spec, host(false), FILTER, List.of(), 5);
        assertThat(first(plan, Step.Setns.class).namespaces() & LaunchPlanner.CLONE_NEWNET)
                .isZero();
        assertThat(ops(plan)).doesNotContain(Op.WRITE_PID);
    }
}
