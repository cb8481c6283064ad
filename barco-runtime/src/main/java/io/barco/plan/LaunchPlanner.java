package io.barco.plan;

import io.barco.Setting;
import io.barco.spec.Capability;
import io.barco.spec.ContainerPaths;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ImageRoot;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.RootMode;
import io.barco.spec.Size;
import io.barco.spec.Stdio;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a spec into the ordered steps the native helper executes: all policy is decided here, in
 * Java, and is unit-testable without privileges. Like bubblewrap, the whole setup is a list.
 *
 * <p>The container's tree is assembled under {@code /tmp/root} on a private tmpfs of the new mount
 * namespace (nothing appears on the host), then made the root with pivot_root.
 */
public final class LaunchPlanner {
    static final String STAGING = "/tmp";
    static final String NEW_ROOT = STAGING + "/root";
    /** A writable root's lower layers: the rootfs and its submounts, read-only and idmapped. */
    static final String LOWER = STAGING + "/lower";
    /** A writable root's tmpfs: each overlay's upper and work directories, in /tmp/layers/N. */
    static final String LAYERS = STAGING + "/layers";
    /** Characters overlayfs's lowerdir= cannot carry unescaped: a submount there is bound read-only instead. */
    private static final Pattern OVERLAY_UNSAFE = Pattern.compile("[,:\\\\=\\s]");

    static final long MS_RDONLY = 1,
            MS_NOSUID = 2,
            MS_NODEV = 4,
            MS_NOEXEC = 8,
            MS_BIND = 0x1000,
            MS_REC = 0x4000,
            MS_PRIVATE = 1 << 18,
            MS_REMOUNT = 32;
    static final long CLONE_NEWNS = 0x00020000,
            CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000,
            CLONE_NEWIPC = 0x08000000,
            CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000,
            CLONE_NEWNET = 0x40000000;

    /** Directories of the rootfs on which the container gets filesystems of its own: the rootfs must have them. */
    public static final List<String> ROOTFS_MOUNT_POINTS = List.of("/proc", "/sys", "/dev", "/tmp", "/run");

    /** The OCI runtime spec's default masked paths. */
    static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware",
            "/sys/devices/virtual/powercap");
    /** The OCI runtime spec's default read-only paths. */
    static final List<String> READ_ONLY_PATHS =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private record Device(String name, int major, int minor) {}

    private static final List<Device> DEVICES = List.of(
            new Device("null", 1, 3),
            new Device("zero", 1, 5),
            new Device("full", 1, 7),
            new Device("random", 1, 8),
            new Device("urandom", 1, 9),
            new Device("tty", 5, 0));
    private static final Device NULL_DEVICE = DEVICES.get(0);

    private final HostFacts host;
    private final List<Step> steps = new ArrayList<>();
    private int trees;

    private LaunchPlanner(HostFacts host) {
        this.host = host;
    }

    /** The plan for {@code spec}, without cgroups; {@code seccompProgram} is the compiled filter, or null for none. */
    public static LaunchPlan plan(ContainerSpec spec, HostFacts host, byte[] seccompProgram) {
        return plan(spec, host, seccompProgram, CgroupPlacement.NONE);
    }

    public static LaunchPlan plan(ContainerSpec spec, HostFacts host, byte[] seccompProgram, CgroupPlacement cgroups) {
        return new LaunchPlanner(host).build(spec, seccompProgram, cgroups, false);
    }

    /**
     * The plan for a container that runs until closed: set up as for {@code spec}, but its first
     * process stays barco's init (reaps orphans, forwards signals, dies with the launching JVM)
     * instead of running the spec's command; commands run in it with {@link #planExec}.
     */
    public static LaunchPlan planInit(
            ContainerSpec spec, HostFacts host, byte[] seccompProgram, CgroupPlacement cgroups) {
        return new LaunchPlanner(host).build(spec, seccompProgram, cgroups, true);
    }

    /**
     * The plan for running {@code spec}'s command in a running container, as nsenter does: the
     * helper joins the container's cgroups (its child inherits them), then every namespace through
     * the pidfd on descriptor {@code joinFd}; its child, created in the container's PID namespace,
     * gets the working directory, ids, capabilities, no_new_privs and seccomp filter of {@code spec},
     * which must be the container's spec with the command, environment, working directory and stdio
     * of this exec.
     *
     * @param procsFiles cgroup.procs files of the groups the command runs in
     */
    public static LaunchPlan planExec(
            ContainerSpec spec, HostFacts host, byte[] seccompProgram, List<String> procsFiles, int joinFd) {
        return new LaunchPlanner(host).buildExec(spec, seccompProgram, procsFiles, joinFd);
    }

    /**
     * The first steps of an exec made ahead of time: join its cgroups (a wait for the kernel on
     * cgroup v1, which this takes off the exec's path), then wait for the rest of the plan, {@link
     * #planExec} with no cgroup, on descriptor {@code nextPlanFd}.
     */
    public static LaunchPlan planExecAhead(List<String> procsFiles, int nextPlanFd) {
        LaunchPlanner planner = new LaunchPlanner(null);
        for (String procs : procsFiles) {
            planner.add(new Step.WritePid(procs, "move into cgroup " + procs.substring(0, procs.lastIndexOf('/'))));
        }
        planner.add(new Step.NextPlan(nextPlanFd, "read the rest of the plan"));
        return new LaunchPlan(planner.steps);
    }

    private LaunchPlan buildExec(ContainerSpec spec, byte[] seccompProgram, List<String> procsFiles, int joinFd) {
        // Before setns: once in the container's mount namespace the host's cgroup files are out of reach.
        for (String procs : procsFiles) {
            add(new Step.WritePid(procs, "move into cgroup " + procs.substring(0, procs.lastIndexOf('/'))));
        }
        // With the host's network the container has no network namespace of its own to join, and the
        // joined user namespace holds no capability over the host's.
        long flags = CLONE_NEWUSER
                | CLONE_NEWNS
                | CLONE_NEWPID
                | CLONE_NEWIPC
                | CLONE_NEWUTS
                | CLONE_NEWCGROUP
                | (spec.network() == NetworkMode.NONE ? CLONE_NEWNET : 0);
        add(new Step.Setns(joinFd, flags, "setns(the container's pidfd, " + describeNamespaces(flags) + ")"));
        add(new Step.Clone(0, "clone() into the container's PID namespace"));
        add(new Step.Release("release the process"));
        // setns(CLONE_NEWNS) put the root and the working directory at the container's root; until it
        // takes an id the user namespace maps, the process is the unmapped host root there.
        add(new Step.SetIds(0, 0, "become root of the user namespace"));
        add(new Step.Chdir(spec.workdir(), "chdir(" + spec.workdir() + ")"));
        finish(spec, seccompProgram, false);
        return new LaunchPlan(steps);
    }

    private LaunchPlan build(ContainerSpec spec, byte[] seccompProgram, CgroupPlacement cgroups, boolean init) {
        if (init) {
            add(new Step.WatchLauncher("pidfd_open(the launching JVM)"));
        }
        // In the helper: take what the child will mount from the host, while the helper can still reach it.
        ImageRoot image = spec.image().orElse(null);
        boolean overlay = image == null && spec.rootMode() == RootMode.OVERLAY;
        List<Submount> submounts = overlay ? rootSubmounts(spec.rootfs()) : List.of();
        // An image's layers are trees of the image cache, each a read-only lower layer of the root's overlay.
        List<Integer> layerTrees = new ArrayList<>();
        if (image != null) {
            for (int i = 0; i < image.layers().size(); i++) {
                layerTrees.add(openTree(
                        image.layers().get(i).toString(),
                        true,
                        false,
                        "layer " + (i + 1) + " of " + image.reference()));
            }
        }
        // Under an overlay each mount is a lower layer of its own (overlayfs does not cross mount points),
        // taken without its submounts; otherwise the rootfs comes with them.
        int rootTree = image != null
                ? -1
                : overlay
                        ? openTree(
                                spec.rootfs().toString(),
                                true,
                                false,
                                "rootfs " + spec.rootfs() + ", without its submounts")
                        : openTree(spec.rootfs().toString(), spec.readOnlyRoot(), true, "rootfs " + spec.rootfs());
        List<Integer> subTrees = new ArrayList<>();
        for (Submount sub : submounts) {
            subTrees.add(openTree(sub.hostPath(), true, false, "the rootfs's submount " + sub.hostPath()));
        }
        List<Integer> bindTrees = new ArrayList<>();
        for (Mount mount : spec.mounts()) {
            bindTrees.add(
                    mount.kind() == Mount.Kind.BIND
                            ? openTree(mount.source().toString(), mount.readOnly(), "bind source " + mount.source())
                            : -1);
        }
        int sysTree = spec.network() == NetworkMode.HOST ? openTree("/sys", true, "/sys") : -1;

        // The cgroup namespace comes later: its root is fixed when it is created, and the process must
        // be in its own cgroups by then.
        long flags = CLONE_NEWUSER
                | CLONE_NEWNS
                | CLONE_NEWPID
                | CLONE_NEWIPC
                | CLONE_NEWUTS
                | (spec.network() == NetworkMode.NONE ? CLONE_NEWNET : 0);
        add(new Step.Clone(flags, "clone(" + describeNamespaces(flags) + ")"));
        add(new Step.WriteProc(
                "uid_map",
                spec.uidMapping().mapLine(),
                "write uid_map '" + spec.uidMapping().mapLine().trim() + "'"));
        add(new Step.WriteProc(
                "gid_map",
                spec.gidMapping().mapLine(),
                "write gid_map '" + spec.gidMapping().mapLine().trim() + "'"));
        if (overlay) {
            // The container's ids as the layers' owners: what host root owns belongs to container root,
            // which overlayfs needs to copy a file up (it keeps the owner, and only mapped ids can be set).
            idmapAsContainer(spec, rootTree, "rootfs " + spec.rootfs());
            for (int i = 0; i < submounts.size(); i++) {
                if (submounts.get(i).overlaid()) {
                    idmapAsContainer(
                            spec,
                            subTrees.get(i),
                            "submount " + submounts.get(i).hostPath());
                }
            }
        }
        for (int i = 0; i < layerTrees.size(); i++) {
            // the image's files as it owns them: its root's (host uid 0 in the cache) are container root's
            idmapAsContainer(spec, layerTrees.get(i), "layer " + (i + 1) + " of " + image.reference());
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            Mount mount = spec.mounts().get(i);
            if (mount.kind() == Mount.Kind.BIND && mount.hostRootAsContainerRoot() && idmappable(spec, i)) {
                // The source's owner becomes the container's user: the host's root for a root-owned
                // tree (/root/.m2), the user for a project a user owns and builds through sudo.
                long hostUid = spec.hostUid();
                long hostGid = spec.hostGid();
                HostFacts.Owner owner = host.owner(mount.source());
                add(new Step.IdmapTree(
                        bindTrees.get(i),
                        hostUid,
                        hostGid,
                        ownerMap(owner.uid(), hostUid, spec.uidMapping()),
                        ownerMap(owner.gid(), hostGid, spec.gidMapping()),
                        "idmap bind source " + mount.source() + " (owner " + owner.uid()
                                + ") for the container's user (host uid " + hostUid + ")"));
            }
        }
        for (String procs : cgroups.procsFiles()) {
            add(new Step.WritePid(procs, "add the container to cgroup " + procs.substring(0, procs.lastIndexOf('/'))));
        }
        add(new Step.Release("release the container process"));

        // In the container's first process, in its new namespaces. Until it takes an id the new user
        // namespace maps, it is the unmapped host root and cannot create files: become container root.
        add(new Step.SetIds(0, 0, "become root of the user namespace"));
        add(new Step.Unshare(CLONE_NEWCGROUP, "unshare(CLONE_NEWCGROUP)"));
        add(new Step.Mount(null, "/", null, MS_REC | MS_PRIVATE, null, "make the mount namespace private"));
        add(new Step.Mount(
                "tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700", "mount the staging tmpfs on " + STAGING));
        add(new Step.Mkdir(NEW_ROOT, 0755, "mkdir " + NEW_ROOT));
        if (image != null) {
            planImageRoot(spec, image, layerTrees);
        } else if (overlay) {
            planOverlayRoot(spec, rootTree, submounts, subTrees);
        } else {
            add(new Step.AttachTree(rootTree, NEW_ROOT, "mount rootfs " + spec.rootfs() + " on /"));
            // The rootfs came with its submounts; the host's /proc, /sys, /dev, /tmp and /run go: hidden
            // under fresh mounts they would still be listed in mountinfo, where a JVM inside would find
            // the host's cgroup hierarchies twice.
            for (String path : ROOTFS_MOUNT_POINTS) {
                add(new Step.Detach(inRoot(path), "detach the rootfs's " + path));
            }
        }
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        if (sysTree >= 0) {
            add(new Step.AttachTree(sysTree, inRoot("/sys"), "bind /sys read-only"));
            // The host's cgroup filesystems came with it: the container gets its own below. Mounting
            // cgroup2 again on the host's cgroup2 mount point fails (EBUSY), and left there the host's
            // hierarchies would be listed twice in mountinfo.
            add(new Step.Detach(inRoot("/sys/fs/cgroup"), "detach the host's /sys/fs/cgroup"));
        } else {
            mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
        planCgroupFilesystems(cgroups);
        planDev(spec);
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");

        // Its own name resolves, as programs asking for the local host expect (Java's getLocalHost does).
        String hosts =
                "127.0.0.1\tlocalhost " + spec.hostname() + "\n::1\tlocalhost ip6-localhost " + spec.hostname() + "\n";
        if (!overlay && image == null) {
            add(new Step.WriteFile(STAGING + "/hosts", hosts, 0644, false, "write /etc/hosts"));
            add(new Step.BindIfExists(STAGING + "/hosts", inRoot("/etc/hosts"), "bind /etc/hosts"));
        }

        for (int i = 0; i < spec.mounts().size(); i++) {
            Mount mount = spec.mounts().get(i);
            if (mount.kind() == Mount.Kind.BIND) {
                makeMountPoint(mount.target(), host.isDirectory(mount.source()));
                add(new Step.AttachTree(bindTrees.get(i), inRoot(mount.target()), "bind " + mount));
            } else if (mount.kind() == Mount.Kind.OVERLAY) {
                // the lower layer is what is mounted on the target now; user.* xattrs, as a user namespace may set only
                // those
                String upper = inRoot(mount.upperParent() + "/upper");
                String work = inRoot(mount.upperParent() + "/work");
                add(new Step.Mkdir(upper, 0755, "mkdir the overlay's upper layer " + mount.upperParent() + "/upper"));
                add(new Step.Mkdir(work, 0755, "mkdir the overlay's work directory " + mount.upperParent() + "/work"));
                mount(
                        "overlay",
                        mount.target(),
                        "overlay",
                        MS_NOSUID | MS_NODEV,
                        "lowerdir=" + inRoot(mount.target()) + ",upperdir=" + upper + ",workdir=" + work
                                + ",userxattr");
            } else {
                makeMountPoint(mount.target(), true);
                mount("tmpfs", mount.target(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
            }
        }

        for (String path : MASKED_PATHS) {
            add(new Step.Mask(inRoot(path), "/dev/null", makedev(NULL_DEVICE), "mask " + path));
        }
        for (String path : READ_ONLY_PATHS) {
            add(new Step.ReadOnly(inRoot(path), "make " + path + " read-only"));
        }
        add(new Step.SetHostname(spec.hostname(), "sethostname(" + spec.hostname() + ")"));
        if (spec.network() == NetworkMode.NONE) {
            add(new Step.LoopbackUp("bring loopback up"));
        }
        add(new Step.PivotRoot(NEW_ROOT, "pivot_root(" + NEW_ROOT + ")"));
        if (overlay || image != null) {
            // a file of the overlay, which the container may change as any other; written once a link
            // in the rootfs can only lead inside
            add(new Step.WriteFile("/etc/hosts", hosts, 0644, true, "write /etc/hosts"));
        }
        if (image != null) {
            // as Docker, the working directory exists even if the image lacks it (made in the upper
            // layer, through the image's own links, which now lead inside only)
            String dir = "";
            for (String part : spec.workdir().substring(1).split("/")) {
                if (!part.isEmpty()) {
                    dir += "/" + part;
                    add(new Step.Mkdir(dir, 0755, "mkdir the working directory's " + dir));
                }
            }
            if (spec.readOnlyRoot()) {
                // the root's own mount only: what is mounted on it (/proc, /tmp, binds) keeps its flags
                add(new Step.Mount(
                        null,
                        "/",
                        null,
                        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                        null,
                        "make the image's root read-only"));
            }
        }
        add(new Step.Chdir(spec.workdir(), "chdir(" + spec.workdir() + ")"));
        finish(spec, seccompProgram, init);
        return new LaunchPlan(steps);
    }

    /** From the session on: privileges, descriptors, seccomp, then the command (or init). */
    private void finish(ContainerSpec spec, byte[] seccompProgram, boolean init) {
        if (init || spec.stdin() != Stdio.INHERIT) {
            // Without a terminal of ours to share, the container gets no controlling terminal either.
            add(new Step.Setsid("setsid()"));
        } else if (host.inForegroundOfTerminal()) {
            add(new Step.Foreground("take the terminal's foreground"));
        }

        // Privileges last, in the order that survives execve: bounding set, ids, then capset.
        Set<Capability> kept = capabilitiesKept(spec);
        long keep = Capability.mask(kept);
        add(new Step.DropBounding(keep, host.capLastCap(), "drop capabilities from the bounding set"));
        add(new Step.SetIds(spec.uid(), spec.gid(), "set uid " + spec.uid() + " and gid " + spec.gid()));
        add(new Step.SetCaps(keep, "set capabilities " + kept));
        add(new Step.NoNewPrivs("prctl(PR_SET_NO_NEW_PRIVS)"));
        add(new Step.CloseFds("close inherited file descriptors"));
        if (seccompProgram != null) {
            add(new Step.Seccomp(
                    seccompProgram, "load the seccomp filter (" + seccompProgram.length / 8 + " instructions)"));
        }
        if (init) {
            add(new Step.Init("run as the container's init"));
            return;
        }
        List<String> envp = spec.env().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList();
        String path = spec.env().getOrDefault("PATH", ContainerSpec.DEFAULT_PATH);
        add(new Step.Exec(spec.command(), spec.argv(), envp, path, "execve(" + spec.command() + ")"));
    }

    /**
     * What the command keeps of the spec's capabilities: container root all of them, any other uid
     * none, as in the seed. The rest leave the bounding set too, so nothing the command runs regains them.
     */
    public static Set<Capability> capabilitiesKept(ContainerSpec spec) {
        return spec.uid() == 0 ? spec.capabilities() : Set.of();
    }

    /** The container sees its own groups as the root of read-only cgroup filesystems, as a JVM inside needs. */
    private void planCgroupFilesystems(CgroupPlacement cgroups) {
        String base = "/sys/fs/cgroup";
        long readOnly = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        List<CgroupPlacement.Filesystem> filesystems = cgroups.filesystems();
        if (filesystems.size() == 1 && filesystems.get(0).subdirectory().isEmpty()) {
            CgroupPlacement.Filesystem fs = filesystems.get(0);
            mount(fs.fstype(), base, fs.fstype(), readOnly, fs.options());
            return;
        }
        if (filesystems.isEmpty()) {
            return;
        }
        mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755");
        for (CgroupPlacement.Filesystem fs : filesystems) {
            String target = base + "/" + fs.subdirectory();
            add(new Step.Mkdir(inRoot(target), 0755, "mkdir " + target));
            mount(fs.fstype(), target, fs.fstype(), readOnly, fs.options());
        }
        // a remount, not a bind onto itself: a JVM inside reads mountinfo and must find each hierarchy once
        add(new Step.Mount(null, inRoot(base), null, MS_REMOUNT | readOnly, null, "make " + base + " read-only"));
    }

    private void planDev(ContainerSpec spec) {
        mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755,size=65536k");
        for (Device device : DEVICES) {
            String target = inRoot("/dev/" + device.name());
            add(new Step.Mkfile(target, 0666, "create /dev/" + device.name()));
            add(new Step.BindDevice("/dev/" + device.name(), makedev(device), target, "bind /dev/" + device.name()));
        }
        if (spec.stdin() == Stdio.INHERIT) {
            // The container shares our terminal; bound on /dev/console it has a name there, and tty(1) finds it.
            host.stdinTerminal().ifPresent(terminal -> {
                add(new Step.Mkfile(inRoot("/dev/console"), 0600, "create /dev/console"));
                add(new Step.BindDevice(
                        terminal.path().toString(),
                        terminal.rdev(),
                        inRoot("/dev/console"),
                        "bind the terminal " + terminal.path() + " on /dev/console"));
            });
        }
        add(new Step.Mkdir(inRoot("/dev/pts"), 0755, "mkdir /dev/pts"));
        String ptsOptions =
                "newinstance,ptmxmode=0666,mode=0620" + (spec.gidMapping().containsInside(5) ? ",gid=5" : "");
        mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, ptsOptions);
        add(new Step.Symlink("pts/ptmx", inRoot("/dev/ptmx"), "symlink /dev/ptmx"));
        add(new Step.Mkdir(inRoot("/dev/shm"), 01777, "mkdir /dev/shm"));
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        add(new Step.Mkdir(inRoot("/dev/mqueue"), 0755, "mkdir /dev/mqueue"));
        mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        for (String[] link : new String[][] {
            {"/proc/self/fd", "fd"},
            {"/proc/self/fd/0", "stdin"},
            {"/proc/self/fd/1", "stdout"},
            {"/proc/self/fd/2", "stderr"}
        }) {
            add(new Step.Symlink(link[0], inRoot("/dev/" + link[1]), "symlink /dev/" + link[1]));
        }
    }

    private void makeMountPoint(String target, boolean directory) {
        // its parents first, as mkdir -p: on a tmpfs such as /tmp they may not exist yet
        String parent = target.substring(0, target.lastIndexOf('/'));
        List<String> parents = new ArrayList<>();
        for (String p = parent; !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
            parents.add(0, p);
        }
        for (String p : parents) {
            add(new Step.Mkdir(inRoot(p), 0755, "create mount point " + target + " (mkdir " + p + ")"));
        }
        if (directory) {
            add(new Step.Mkdir(inRoot(target), 0755, "create mount point " + target + " (mkdir)"));
        } else {
            add(new Step.Mkfile(inRoot(target), 0644, "create mount point " + target));
        }
    }

    private int openTree(String path, boolean readOnly, String what) {
        // recursive: a rootfs of "/" brings /usr, /home and the rest when they are mounts of their own
        return openTree(path, readOnly, true, what);
    }

    private int openTree(String path, boolean readOnly, boolean recursive, String what) {
        add(new Step.OpenTree(path, recursive, readOnly, "open_tree(" + what + (readOnly ? ", read-only)" : ")")));
        return trees++;
    }

    /** A mount below the rootfs, as a writable root shows it: its own overlay, or a read-only bind. */
    record Submount(String path, String hostPath, String fstype, boolean overlaid) {}

    /**
     * The host's mounts below {@code rootfs} that a writable root shows, parents first: each of its
     * own overlay where its filesystem has idmapped mounts, else a read-only bind of it. Left out are
     * those below what the container gets fresh ({@link #ROOTFS_MOUNT_POINTS}). A mount point listed twice is the
     * one on top, as a path finds it.
     *
     * @throws InvalidSpecException when the rootfs's filesystem has no idmapped mounts
     */
    private List<Submount> rootSubmounts(Path rootfs) {
        String root = rootfs.toString();
        String prefix = root.equals("/") ? "/" : root + "/";
        String rootType = filesystemOf(root);
        Map<String, HostFacts.MountPoint> below = new LinkedHashMap<>();
        for (HostFacts.MountPoint m : host.mounts()) {
            String p = m.path();
            if (!p.equals(root) && p.startsWith(prefix)) {
                String inside = "/" + p.substring(prefix.length());
                if (ROOTFS_MOUNT_POINTS.stream().noneMatch(r -> ContainerPaths.isUnder(inside, r))) {
                    below.remove(inside);
                    below.put(inside, m);
                }
            }
        }
        if (rootType != null && !Mount.idmappable(rootType, host.kernelRelease())) {
            throw new InvalidSpecException(
                    "a writable root is an overlay on the rootfs " + rootfs + ", whose filesystem ("
                            + rootType
                            + ") has no idmapped mounts, which the overlay needs to let container root change the files "
                            + "the host's root owns: use a rootfs on "
                            + String.join(
                                    ", ",
                                    Mount.IDMAPPABLE_FILESYSTEMS.stream()
                                            .sorted()
                                            .toList()) + " (tmpfs from Linux 6.3)"
                            + ", or a read-only root",
                    Setting.WRITABLE_ROOT);
        }
        return below.entrySet().stream()
                .map(e -> new Submount(
                        e.getKey(),
                        e.getValue().path(),
                        e.getValue().fstype(),
                        Mount.idmappable(e.getValue().fstype(), host.kernelRelease())
                                && !OVERLAY_UNSAFE.matcher(e.getKey()).find()))
                .sorted(Comparator.comparingLong(
                        s -> s.path().chars().filter(c -> c == '/').count()))
                .toList();
    }

    /**
     * Whether bind {@code index}, which asks for its source's files to be the container's, can have it:
     * only where the source's filesystem makes idmapped mounts. Elsewhere (overlayfs, as under a Docker
     * container's root; 9p, NFS, FUSE) a read-only bind is bound as it is, its files then owned by the
     * overflow id inside but readable where others may read them (a jar, a class file); a writable one,
     * or one an overlay lies on, would fail at its first write, so it is refused here, in one line.
     */
    private boolean idmappable(ContainerSpec spec, int index) {
        Mount bind = spec.mounts().get(index);
        String fstype = filesystemOf(bind.source().toString());
        if (fstype == null || Mount.idmappable(fstype, host.kernelRelease())) {
            return true;
        }
        boolean overlaid = spec.mounts().stream()
                .skip(index + 1L)
                .anyMatch(m -> m.kind() == Mount.Kind.OVERLAY && m.target().equals(bind.target()));
        if (overlaid || !bind.readOnly()) {
            throw new InvalidSpecException(
                    "bind source " + bind.source() + " is on " + fstype + ", which has no idmapped mounts, so "
                            + (overlaid
                                    ? "an overlay on it cannot copy up the files the host's root owns"
                                    : "the container's root cannot write the files the host's root owns")
                            + ": bind it read-only or plain rw, or use a directory on "
                            + String.join(
                                    ", ",
                                    Mount.IDMAPPABLE_FILESYSTEMS.stream()
                                            .sorted()
                                            .toList()),
                    Setting.BINDS);
        }
        return false;
    }

    /**
     * Whether the container writes through an overlay whose upper layer is on a tmpfs: a writable
     * root's, of a rootfs or an image (on a tmpfs of its own), or an overlay mount whose upper
     * directory lies on a tmpfs of the spec, on the container's fresh /tmp or /run, or in a bind of a
     * host directory on tmpfs. Older kernels' tmpfs lacks what overlayfs needs for some changes ({@code Preflight}).
     */
    public static boolean writesThroughTmpfsOverlay(ContainerSpec spec, HostFacts host) {
        if (!spec.readOnlyRoot()) {
            return true; // a read-only image's overlay takes no change from the container
        }
        LaunchPlanner planner = new LaunchPlanner(host);
        List<Mount> mounts = spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i).kind() != Mount.Kind.OVERLAY) {
                continue;
            }
            String upper = mounts.get(i).upperParent();
            String fstype =
                    ContainerPaths.isUnder(upper, "/tmp") || ContainerPaths.isUnder(upper, "/run") ? "tmpfs" : null;
            int depth = -1;
            for (Mount m : mounts.subList(0, i)) {
                String target = m.target();
                if (ContainerPaths.isUnder(upper, target) && target.length() >= depth) {
                    depth = target.length();
                    fstype = switch (m.kind()) {
                        case TMPFS -> "tmpfs";
                        case OVERLAY -> "overlay";
                        case BIND ->
                            planner.filesystemOf(
                                    m.source().toString() + upper.substring(target.equals("/") ? 0 : target.length()));
                    };
                }
            }
            if ("tmpfs".equals(fstype)) {
                return true;
            }
        }
        return false;
    }

    /** The type of the filesystem {@code path} is on, as the launcher's mount table says; null when it says nothing. */
    private String filesystemOf(String path) {
        String type = null;
        int depth = -1;
        for (HostFacts.MountPoint m : host.mounts()) {
            String p = m.path();
            if (ContainerPaths.isUnder(path, p) && p.length() >= depth) {
                depth = p.length();
                type = m.fstype();
            }
        }
        return type;
    }

    /**
     * The idmap of a bind whose source {@code owner} owns: the host's root's files belong to the
     * container's user ({@code user}, a host id), as always; a source a user owns (a project built
     * through sudo: its files the user's, its target/ root's) also keeps that user's files as the
     * container's id of the same number, which container root may write and an overlay may copy up.
     * When that id is the container's user itself, the owner takes the line instead of root.
     */
    static String ownerMap(long owner, long user, io.barco.spec.IdMapping mapping) {
        if (owner == 0 || !mapping.containsInside(owner)) {
            return "0 " + user + " 1\n";
        }
        long ownersHostId = mapping.outside() + owner - mapping.inside();
        return ownersHostId == user
                ? owner + " " + user + " 1\n"
                : "0 " + user + " 1\n" + owner + " " + ownersHostId + " 1\n";
    }

    /** Idmaps a tree so that its files belong to whom the container's user namespace maps their owners to. */
    private void idmapAsContainer(ContainerSpec spec, int tree, String what) {
        add(new Step.IdmapTree(
                tree,
                0,
                0,
                spec.uidMapping().mapLine(),
                spec.gidMapping().mapLine(),
                "idmap " + what + " with the container's id mapping"));
    }

    /**
     * A root that is writable and throwaway: on a tmpfs of this mount namespace (gone with it, never
     * on the host's disk, at most {@link ContainerSpec#rootOverlaySize()}), an overlay whose lower
     * layer is the rootfs, and one for each of its submounts the overlay of / cannot show.
     */
    private void planOverlayRoot(ContainerSpec spec, int rootTree, List<Submount> submounts, List<Integer> subTrees) {
        add(new Step.Mkdir(LOWER, 0700, "mkdir " + LOWER));
        add(new Step.AttachTree(rootTree, LOWER, "mount rootfs " + spec.rootfs() + " read-only on " + LOWER));
        for (int i = 0; i < submounts.size(); i++) {
            Submount sub = submounts.get(i);
            add(new Step.AttachTree(
                    subTrees.get(i),
                    LOWER + sub.path(),
                    "mount the rootfs's " + sub.path() + " read-only on " + LOWER + sub.path()));
        }
        layersTmpfs(spec, "the writable root's");
        overlayLayer(0, LOWER, NEW_ROOT, "/");
        int layer = 1;
        for (Submount sub : submounts) {
            if (sub.overlaid()) {
                overlayLayer(layer++, LOWER + sub.path(), inRoot(sub.path()), sub.path());
            } else {
                add(new Step.Mount(
                        LOWER + sub.path(),
                        inRoot(sub.path()),
                        null,
                        MS_BIND | MS_REC,
                        null,
                        "bind the rootfs's " + sub.path() + " (" + sub.fstype() + ", no idmapped mounts) read-only"));
            }
        }
    }

    /**
     * An image's root: its layers read-only under {@link #LOWER}, bottom first, stacked by an overlay
     * whose upper layer is on a tmpfs of this mount namespace, as a writable root's; a read-only root
     * is made so once its mount points and /etc/hosts are written. The container's own mount points
     * (/proc, /dev, ...) are made in the upper layer before the overlay is mounted: a real directory
     * there hides whatever the image has in their place, a link out of the root included.
     */
    private void planImageRoot(ContainerSpec spec, ImageRoot image, List<Integer> layerTrees) {
        add(new Step.Mkdir(LOWER, 0700, "mkdir " + LOWER));
        List<String> lowers = new ArrayList<>();
        for (int i = 0; i < layerTrees.size(); i++) {
            String dir = LOWER + "/" + i;
            add(new Step.Mkdir(dir, 0700, "mkdir " + dir));
            add(new Step.AttachTree(
                    layerTrees.get(i),
                    dir,
                    "mount layer " + (i + 1) + " of " + image.reference() + " read-only on " + dir));
            lowers.add(0, dir); // overlayfs lists the top layer first
        }
        layersTmpfs(spec, "the image root's");
        String dir = LAYERS + "/0";
        add(new Step.Mkdir(dir, 0700, "mkdir " + dir));
        add(new Step.Mkdir(dir + "/upper", 0755, "mkdir " + dir + "/upper"));
        add(new Step.Mkdir(dir + "/work", 0700, "mkdir " + dir + "/work"));
        for (String point : ROOTFS_MOUNT_POINTS) {
            add(new Step.Mkdir(
                    dir + "/upper" + point, 0755, "create mount point " + point + " in the image's upper layer"));
        }
        add(new Step.Mount(
                "overlay",
                NEW_ROOT,
                "overlay",
                MS_NOSUID | MS_NODEV,
                "lowerdir=" + String.join(":", lowers) + ",upperdir=" + dir + "/upper,workdir=" + dir
                        + "/work,userxattr",
                "mount overlay of " + image + " on / (upper " + dir + "/upper)"));
    }

    /** The tmpfs of a root's overlay layers, at most the spec's overlay size, on {@link #LAYERS}. */
    private void layersTmpfs(ContainerSpec spec, String whose) {
        add(new Step.Mkdir(LAYERS, 0700, "mkdir " + LAYERS));
        add(new Step.Mount(
                "tmpfs",
                LAYERS,
                "tmpfs",
                MS_NOSUID | MS_NODEV,
                "size=" + spec.rootOverlaySize() + ",mode=0700",
                "mount " + whose + " tmpfs (size " + Size.format(spec.rootOverlaySize()) + ") on " + LAYERS));
    }

    private void overlayLayer(int layer, String lower, String target, String what) {
        String dir = LAYERS + "/" + layer;
        add(new Step.Mkdir(dir, 0700, "mkdir " + dir));
        add(new Step.Mkdir(dir + "/upper", 0755, "mkdir " + dir + "/upper"));
        add(new Step.Mkdir(dir + "/work", 0700, "mkdir " + dir + "/work"));
        // user.* xattrs, as a user namespace may set only those
        add(new Step.Mount(
                "overlay",
                target,
                "overlay",
                0,
                "lowerdir=" + lower + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work,userxattr",
                "mount overlay on " + what + " (lower layer " + lower + ", upper " + dir + "/upper)"));
    }

    private void mount(String source, String target, String fstype, long flags, String data) {
        add(new Step.Mount(source, inRoot(target), fstype, flags, data, "mount " + fstype + " on " + target));
    }

    private void add(Step step) {
        steps.add(step);
    }

    static String inRoot(String containerPath) {
        return containerPath.equals("/") ? NEW_ROOT : NEW_ROOT + containerPath;
    }

    /** glibc's makedev. */
    static long makedev(Device device) {
        long major = device.major(), minor = device.minor();
        return ((major & 0xfffff000L) << 32)
                | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
    }

    static String describeNamespaces(long flags) {
        List<String> names = new ArrayList<>();
        Map<Long, String> known = new java.util.LinkedHashMap<>();
        known.put(CLONE_NEWUSER, "CLONE_NEWUSER");
        known.put(CLONE_NEWNS, "CLONE_NEWNS");
        known.put(CLONE_NEWPID, "CLONE_NEWPID");
        known.put(CLONE_NEWIPC, "CLONE_NEWIPC");
        known.put(CLONE_NEWUTS, "CLONE_NEWUTS");
        known.put(CLONE_NEWNET, "CLONE_NEWNET");
        known.put(CLONE_NEWCGROUP, "CLONE_NEWCGROUP");
        known.forEach((flag, name) -> {
            if ((flags & flag) != 0) {
                names.add(name);
            }
        });
        return String.join("|", names);
    }
}
