package io.barco.plan;

/**
 * The steps the native helper knows. The codes are the wire's and defined here only: the build
 * generates the helper's enum barco_op from them (io.barco.launch.WireHeader), and the helper's
 * dispatch has no default case, so an op without its C handler does not compile.
 */
public enum Op {
    /** Parent: clone a detached copy of a host mount tree (open_tree), always private (nothing propagates), optionally read-only. */
    OPEN_TREE(1),
    /** Parent: create the container's first process in new namespaces. */
    CLONE(2),
    /** Parent: write a file of the child's /proc/PID directory (uid_map, gid_map). */
    WRITE_PROC(3),
    /** Parent: write the child's pid to a file (a cgroup's cgroup.procs). */
    WRITE_PID(5),
    /** Parent: let the child go on, then exit. Child: wait for that. */
    RELEASE(4),
    /** Parent: make a tree from OPEN_TREE an idmapped mount: host root's files belong to the container's user. */
    IDMAP_TREE(7),
    /** Detach what is mounted on a path, submounts included (nothing mounted is fine). */
    DETACH(8),
    /** Write a file (on a tmpfs of the container's). */
    WRITE_FILE(9),
    /** Enter new namespaces, e.g. the cgroup namespace once the process is in its cgroups. */
    UNSHARE(6),
    MOUNT(10),
    /** Attach a tree from OPEN_TREE (move_mount). */
    ATTACH_TREE(11),
    MKDIR(12),
    MKFILE(13),
    /** Bind a host character device after verifying it is the expected one. */
    BIND_DEVICE(14),
    /** Hide a path: tmpfs over a directory, the verified null device over a file. */
    MASK(15),
    READ_ONLY(16),
    SYMLINK(17),
    SETHOSTNAME(18),
    LOOPBACK_UP(19),
    PIVOT_ROOT(20),
    CHDIR(21),
    SETSID(22),
    DROP_BOUNDING(23),
    SET_IDS(24),
    SET_CAPS(25),
    NO_NEW_PRIVS(26),
    CLOSE_FDS(27),
    SECCOMP(28),
    EXEC(29),
    /** Become the terminal's foreground process group. */
    FOREGROUND(30),
    /** Bind a file read-only over another, if that one exists. */
    BIND_IF_EXISTS(31),
    /** Helper, before CLONE: take a pidfd of the launching JVM, which INIT watches. */
    WATCH_LAUNCHER(32),
    /** The end of a running container's plan: stay its PID 1, reap orphans, forward signals, die with the JVM. */
    INIT(33),
    /** Helper, before CLONE: join a running container's namespaces (setns on the pidfd a, namespaces b). */
    SETNS(34),
    /**
     * Helper, before CLONE: read the rest of the plan from descriptor a (a pipe) and run it; end of
     * file instead means it is not needed. Lets a helper made ahead of time join a cgroup first.
     */
    NEXT_PLAN(35);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
