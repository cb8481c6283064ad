package io.barco.plan;

/**
 * The steps the native helper knows, by their codes on the wire; what the helper does for each, and
 * with which fields, is said by its record in {@link Step}. The codes are the wire's and defined
 * here only: the build generates the helper's enum barco_op from them (io.barco.launch.WireHeader),
 * and the helper's dispatch has no default case, so an op without its C handler does not compile.
 */
public enum Op {
    OPEN_TREE(1),
    CLONE(2),
    WRITE_PROC(3),
    WRITE_PID(5),
    RELEASE(4),
    IDMAP_TREE(7),
    DETACH(8),
    WRITE_FILE(9),
    UNSHARE(6),
    MOUNT(10),
    ATTACH_TREE(11),
    MKDIR(12),
    MKFILE(13),
    BIND_DEVICE(14),
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
    FOREGROUND(30),
    BIND_IF_EXISTS(31),
    WATCH_LAUNCHER(32),
    INIT(33),
    SETNS(34),
    NEXT_PLAN(35);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
