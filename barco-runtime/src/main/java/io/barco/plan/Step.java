package io.barco.plan;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One step of a launch plan: a record per {@link Op}, whose fields are what the native helper does
 * it with, and the description that names the step when it fails. "Helper" steps run in the helper
 * before it lets the container's process go on (RELEASE); the others in that process.
 *
 * <p>Each record names its op and the wire's slots its fields travel in, in one method, {@link
 * #wire()}; {@link PlanEncoder#encode} alone writes bytes. A record checks in its constructor what the helper would otherwise read wrong: a
 * text it reads as a C string holds no NUL (it would end there), a number fits where the helper
 * puts it.
 */
public sealed interface Step {
    /** Strings per step on the wire. */
    int MAX_STRINGS = 4;
    /** Trees from {@link OpenTree} a plan may hold: the helper's MAX_TREES. */
    int MAX_TREES = 64;

    /** The op, as {@link #wire()} names it. */
    default Op op() {
        return wire().op();
    }

    /** What the step does, as a failure names it ("mount proc on /proc"). */
    String description();

    /** The step's op and its fields in the wire's slots, as the helper's handler for that op reads them. */
    Wire wire();

    /**
     * A step as the wire carries it: its op, the numbers a and b and up to {@link #MAX_STRINGS}
     * strings, each null where absent (the encoder adds every string's final NUL).
     */
    record Wire(Op op, long a, long b, byte[]... strings) {
        public Wire {
            Objects.requireNonNull(op, "op");
            if (strings.length > MAX_STRINGS) {
                throw new IllegalArgumentException("a step carries at most " + MAX_STRINGS + " strings");
            }
        }

        static Wire of(Op op, long a, long b, String... strings) {
            return new Wire(op, a, b, Arrays.stream(strings).map(Step::utf8).toArray(byte[][]::new));
        }

        /** String {@code i}, or null when absent. */
        public byte[] string(int i) {
            return i < strings.length ? strings[i] : null;
        }
    }

    /**
     * Helper: clone a detached copy of the host's mount tree at {@code path} (open_tree), with its
     * submounts if {@code recursive}, always private (nothing propagates), read-only if asked. Later
     * steps name it by its index among the plan's trees.
     */
    record OpenTree(String path, boolean recursive, boolean readOnly, String description) implements Step {
        private static final long MOUNT_ATTR_RDONLY = 1;

        public OpenTree {
            requireCString(path, "path");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.OPEN_TREE, recursive ? 1 : 0, readOnly ? MOUNT_ATTR_RDONLY : 0, path);
        }
    }

    /**
     * Helper: create the container's first process in the new {@code namespaces} (CLONE_NEW* flags) as
     * the JVM's child; steps up to RELEASE run on in the helper, the rest in that process.
     */
    record Clone(long namespaces, String description) implements Step {
        public Clone {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.CLONE, namespaces, 0);
        }
    }

    /**
     * Helper: write {@code content} in one write(2) to {@code file} of the child's /proc/PID directory
     * (uid_map, gid_map).
     */
    record WriteProc(String file, String content, String description) implements Step {
        /** What "/proc/PID/" leaves of the helper's 64-byte path for the file's name, with a pid of 7 digits. */
        static final int MAX_FILE_BYTES = 64 - "/proc/1234567/".length() - 1;

        public WriteProc {
            if (requireCString(file, "file").contains("/") || utf8(file).length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(
                        "not a file name of at most " + MAX_FILE_BYTES + " bytes in /proc/PID: " + file);
            }
            Objects.requireNonNull(content, "content");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.WRITE_PROC, 0, 0, file, content);
        }
    }

    /** Helper: write the child's pid to the file at {@code path} (a cgroup's cgroup.procs). */
    record WritePid(String path, String description) implements Step {
        public WritePid {
            requireCString(path, "path");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.WRITE_PID, 0, 0, path);
        }
    }

    /** Helper: let the child go on, then exit. Child: wait for that. */
    record Release(String description) implements Step {
        public Release {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.RELEASE, 0, 0);
        }
    }

    /**
     * Helper: make tree number {@code tree} an idmapped mount whose ids map as the lines {@code
     * uidMap} and {@code gidMap} (as uid_map's) say; where a line is absent, id 0 maps to {@code
     * hostUid} or {@code hostGid}, so that what the host's root owns belongs to that user.
     */
    record IdmapTree(int tree, long hostUid, long hostGid, String uidMap, String gidMap, String description)
            implements Step {
        public IdmapTree {
            requireTree(tree);
            requireId(hostUid, "hostUid");
            requireId(hostGid, "hostGid");
            requireOptionalCString(uidMap, "uidMap");
            requireOptionalCString(gidMap, "gidMap");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.IDMAP_TREE, tree, (hostUid << 32) | hostGid, uidMap, gidMap);
        }
    }

    /**
     * Detach what is mounted on {@code path}, submounts included (umount2 MNT_DETACH); nothing mounted
     * there is fine.
     */
    record Detach(String path, String description) implements Step {
        public Detach {
            requireCString(path, "path");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.DETACH, 0, 0, path);
        }
    }

    /**
     * Create or truncate {@code path} with {@code mode} and write {@code content} in one write(2): a
     * file of barco's own (on its tmpfs), never through a link; or, {@code inContainerRoot}, a file
     * of the container's root, after pivot_root (a link resolves inside), when its directory exists.
     */
    record WriteFile(String path, String content, int mode, boolean inContainerRoot, String description)
            implements Step {
        /** The longest directory of a file in the container's root the helper's buffer of PATH_MAX holds. */
        static final int MAX_DIRECTORY_BYTES = 4096 - 1;

        public WriteFile {
            requireCString(path, "path");
            if (inContainerRoot
                    && utf8(path.substring(0, Math.max(0, path.lastIndexOf('/')))).length > MAX_DIRECTORY_BYTES) {
                throw new IllegalArgumentException("a directory longer than PATH_MAX: " + path);
            }
            Objects.requireNonNull(content, "content");
            requireMode(mode);
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.WRITE_FILE, mode, inContainerRoot ? 1 : 0, path, content);
        }
    }

    /**
     * Enter new {@code namespaces} (unshare(2), CLONE_NEW* flags), e.g. the cgroup namespace once the
     * process is in its cgroups.
     */
    record Unshare(long namespaces, String description) implements Step {
        public Unshare {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.UNSHARE, namespaces, 0);
        }
    }

    /** mount(2); {@code source}, {@code fstype} and {@code data} may be absent (null), as for a remount. */
    record Mount(String source, String target, String fstype, long flags, String data, String description)
            implements Step {
        public Mount {
            requireOptionalCString(source, "source");
            requireCString(target, "target");
            requireOptionalCString(fstype, "fstype");
            requireOptionalCString(data, "data");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.MOUNT, flags, 0, source, target, fstype, data);
        }
    }

    /** Attach tree number {@code tree} (the plan's OPEN_TREE steps, counted from 0) on {@code target} (move_mount). */
    record AttachTree(int tree, String target, String description) implements Step {
        public AttachTree {
            requireTree(tree);
            requireCString(target, "target");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.ATTACH_TREE, tree, 0, target);
        }
    }

    /** mkdir(2) with {@code mode}; a path that exists already is fine. */
    record Mkdir(String path, int mode, String description) implements Step {
        public Mkdir {
            requireCString(path, "path");
            requireMode(mode);
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.MKDIR, mode, 0, path);
        }
    }

    /** Create an empty file with {@code mode} to mount on, never through a link; one that exists already will do. */
    record Mkfile(String path, int mode, String description) implements Step {
        public Mkfile {
            requireCString(path, "path");
            requireMode(mode);
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.MKFILE, mode, 0, path);
        }
    }

    /**
     * Bind the host's character device {@code device} on {@code target} after checking, on the very
     * file that gets mounted, that it is device number {@code rdev} (CVE-2025-31133).
     */
    record BindDevice(String device, long rdev, String target, String description) implements Step {
        public BindDevice {
            requireCString(device, "device");
            requireCString(target, "target");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.BIND_DEVICE, 0, rdev, device, target);
        }
    }

    /**
     * Hide {@code path}: an empty read-only tmpfs over a directory, the null device {@code
     * nullDevice}, checked to be {@code nullRdev}, over a file; no such path is fine.
     */
    record Mask(String path, String nullDevice, long nullRdev, String description) implements Step {
        public Mask {
            requireCString(path, "path");
            requireCString(nullDevice, "nullDevice");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.MASK, 0, nullRdev, path, nullDevice);
        }
    }

    /**
     * Bind {@code path} on itself and remount it read-only, keeping the nosuid, nodev and noexec a
     * user namespace may not clear; no such path is fine.
     */
    record ReadOnly(String path, String description) implements Step {
        public ReadOnly {
            requireCString(path, "path");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.READ_ONLY, 0, 0, path);
        }
    }

    /** symlink(2): a link at {@code link} to {@code target}; a link there already is fine. */
    record Symlink(String target, String link, String description) implements Step {
        public Symlink {
            requireCString(target, "target");
            requireCString(link, "link");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SYMLINK, 0, 0, target, link);
        }
    }

    /** sethostname(2) in the container's UTS namespace. */
    record SetHostname(String hostname, String description) implements Step {
        public SetHostname {
            requireCString(hostname, "hostname");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SETHOSTNAME, 0, 0, hostname);
        }
    }

    /** Bring the new network namespace's loopback interface up; the kernel then gives it its addresses. */
    record LoopbackUp(String description) implements Step {
        public LoopbackUp {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.LOOPBACK_UP, 0, 0);
        }
    }

    /** Make {@code newRoot} the root (pivot_root from inside it), detach the old root stacked under it, chdir to /. */
    record PivotRoot(String newRoot, String description) implements Step {
        public PivotRoot {
            requireCString(newRoot, "newRoot");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.PIVOT_ROOT, 0, 0, newRoot);
        }
    }

    /** chdir(2) to {@code path}, which must then resolve inside the root (CVE-2024-21626). */
    record Chdir(String path, String description) implements Step {
        public Chdir {
            requireCString(path, "path");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.CHDIR, 0, 0, path);
        }
    }

    /** setsid(2): a session of its own, without a controlling terminal. */
    record Setsid(String description) implements Step {
        public Setsid {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SETSID, 0, 0);
        }
    }

    /**
     * Drop from the bounding set each capability up to {@code lastCap} (the kernel's cap_last_cap)
     * that the mask {@code keep} lacks.
     */
    record DropBounding(long keep, int lastCap, String description) implements Step {
        public DropBounding {
            if (lastCap < 0 || lastCap > 63) {
                throw new IllegalArgumentException("not a capability number of a 64-bit mask: " + lastCap);
            }
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.DROP_BOUNDING, keep, lastCap);
        }
    }

    /** Drop supplementary groups, set the real, effective and saved gid then uid, keeping capabilities for SET_CAPS. */
    record SetIds(long uid, long gid, String description) implements Step {
        public SetIds {
            requireId(uid, "uid");
            requireId(gid, "gid");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SET_IDS, uid, gid);
        }
    }

    /**
     * Make the capabilities of the mask {@code keep} the effective, permitted and inheritable sets
     * (capset); clear the ambient set.
     */
    record SetCaps(long keep, String description) implements Step {
        public SetCaps {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SET_CAPS, keep, 0);
        }
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): no execve from here on grants privileges (setuid bits, file capabilities). */
    record NoNewPrivs(String description) implements Step {
        public NoNewPrivs {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.NO_NEW_PRIVS, 0, 0);
        }
    }

    /** Mark every descriptor but stdin, stdout and stderr close-on-exec: nothing of the host's survives the exec. */
    record CloseFds(String description) implements Step {
        public CloseFds {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.CLOSE_FDS, 0, 0);
        }
    }

    /** Load the compiled seccomp filter {@code program}, BPF instructions of 8 bytes (prctl(PR_SET_SECCOMP)). */
    record Seccomp(byte[] program, String description) implements Step {
        /** The helper passes the count in an unsigned short (the kernel takes at most 4096). */
        static final int MAX_INSTRUCTIONS = 0xffff;

        public Seccomp {
            if (program.length == 0 || program.length % 8 != 0 || program.length / 8 > MAX_INSTRUCTIONS) {
                throw new IllegalArgumentException("a seccomp program of " + program.length + " bytes is not 1 to "
                        + MAX_INSTRUCTIONS + " instructions of 8 bytes");
            }
            program = program.clone();
            requireDescription(description);
        }

        @Override
        public byte[] program() {
            return program.clone();
        }

        @Override
        public Wire wire() {
            return new Wire(Op.SECCOMP, 0, 0, program);
        }
    }

    /**
     * execve {@code file} with {@code argv} and {@code envp}; a file without a slash is searched for
     * in the colon-separated {@code searchPath} as execvp does, unless that is absent (null).
     */
    record Exec(String file, List<String> argv, List<String> envp, String searchPath, String description)
            implements Step {
        public Exec {
            requireCString(file, "file");
            argv = List.copyOf(argv);
            envp = List.copyOf(envp);
            argv.forEach(arg -> requireCString(arg, "argument"));
            envp.forEach(variable -> requireCString(variable, "environment variable"));
            requireOptionalCString(searchPath, "searchPath");
            requireDescription(description);
        }

        /** a and b count argv and envp, each packed in one string as NUL-separated items. */
        @Override
        public Wire wire() {
            return new Wire(
                    Op.EXEC, argv.size(), envp.size(), utf8(file), packed(argv), packed(envp), utf8(searchPath));
        }

        /** NUL-separated strings; the encoder adds the final NUL. */
        private static byte[] packed(List<String> items) {
            return utf8(String.join("\0", items));
        }
    }

    /** Become the terminal's foreground process group, as a shell's job. */
    record Foreground(String description) implements Step {
        public Foreground {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.FOREGROUND, 0, 0);
        }
    }

    /**
     * Bind the file {@code source} read-only (nosuid, nodev) over {@code target} if that exists; a
     * root without it goes on.
     */
    record BindIfExists(String source, String target, String description) implements Step {
        public BindIfExists {
            requireCString(source, "source");
            requireCString(target, "target");
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.BIND_IF_EXISTS, 0, 0, source, target);
        }
    }

    /** Helper, before CLONE: take a pidfd of the launching JVM, which INIT watches. */
    record WatchLauncher(String description) implements Step {
        public WatchLauncher {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.WATCH_LAUNCHER, 0, 0);
        }
    }

    /** The end of a running container's plan: stay its PID 1, reap orphans, forward signals, die with the JVM. */
    record Init(String description) implements Step {
        public Init {
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.INIT, 0, 0);
        }
    }

    /**
     * Helper, before CLONE: join a running container's {@code namespaces} (CLONE_NEW* flags) in one
     * setns(2) on the pidfd {@code fd}, then close it.
     */
    record Setns(int fd, long namespaces, String description) implements Step {
        public Setns {
            requireFd(fd);
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.SETNS, fd, namespaces);
        }
    }

    /**
     * Helper, before CLONE: read the rest of the plan from descriptor {@code fd} (a pipe) and run it;
     * end of file instead means it is not needed. Lets a helper made ahead of time join a cgroup first.
     */
    record NextPlan(int fd, String description) implements Step {
        public NextPlan {
            requireFd(fd);
            requireDescription(description);
        }

        @Override
        public Wire wire() {
            return Wire.of(Op.NEXT_PLAN, fd, 0);
        }
    }

    private static void requireDescription(String description) {
        Objects.requireNonNull(description, "description");
    }

    /** A text the helper reads as a C string: present, and without a NUL, where it would end. */
    private static String requireCString(String value, String what) {
        if (Objects.requireNonNull(value, what).indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " holds a NUL: " + value.replace("\0", "\\0"));
        }
        return value;
    }

    private static void requireOptionalCString(String value, String what) {
        if (value != null) {
            requireCString(value, what);
        }
    }

    private static void requireMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("not a file mode: " + Integer.toOctalString(mode));
        }
    }

    /** A uid or gid: 32 bits, and not -1, which setresuid and uid_map take for "none". */
    private static void requireId(long id, String what) {
        if (id < 0 || id >= 0xffff_ffffL) {
            throw new IllegalArgumentException(what + " is no uid or gid: " + id);
        }
    }

    private static void requireTree(int tree) {
        if (tree < 0 || tree >= MAX_TREES) {
            throw new IllegalArgumentException("no tree " + tree + ": a plan holds at most " + MAX_TREES);
        }
    }

    private static void requireFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("no descriptor " + fd);
        }
    }

    /** UTF-8, or null for null. */
    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
