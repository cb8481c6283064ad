package io.barco.launch;

import com.sun.jna.Memory;
import io.barco.BarcoException;
import io.barco.sys.Errno;
import io.barco.sys.LibC;
import java.nio.file.Path;

/**
 * Starts the native helper with posix_spawn, the primitive the JDK itself uses: vfork semantics, so
 * its cost does not grow with the JVM's heap, and the plan descriptor can be handed over as fd 3.
 */
final class HelperSpawner {
    static final int PLAN_FD = 3;
    static final int STATUS_FD = 4;
    /** A pidfd of the running container an exec joins (barco-helper.c, JOIN_FD). */
    static final int JOIN_FD = 5;
    /** The pipe an exec made ahead of time reads the rest of its plan from (NEXT_PLAN). */
    static final int NEXT_PLAN_FD = 6;
    private static final int FILE_ACTIONS_SIZE = 256; // glibc x86-64: 80 bytes
    private static final int ATTR_SIZE = 512; // glibc x86-64: 336 bytes
    private static final int SIGSET_SIZE = 128;
    private static final int O_RDWR = 2;

    /** Where each of the helper's stdio descriptors comes from: a descriptor to dup, or -1 for /dev/null. */
    record StdioSource(boolean inherit, int fd) {
        static final StdioSource INHERIT = new StdioSource(true, -1);
        static final StdioSource DEV_NULL = new StdioSource(false, -1);

        static StdioSource of(int fd) {
            return new StdioSource(false, fd);
        }
    }

    private HelperSpawner() {
    }

    /** Spawns the helper and returns its pid. */
    static int spawn(Path helper, int planFd, int statusFd, StdioSource[] stdio) {
        return spawn(helper, planFd, statusFd, stdio, -1);
    }

    /** Spawns the helper with {@code joinFd} (a container's pidfd, or -1 for none) as {@link #JOIN_FD}. */
    static int spawn(Path helper, int planFd, int statusFd, StdioSource[] stdio, int joinFd) {
        return spawn(helper, planFd, statusFd, stdio, joinFd < 0 ? new int[0] : new int[] {joinFd});
    }

    /** Spawns the helper with {@code extra[i]} as descriptor {@code JOIN_FD + i}. */
    static int spawn(Path helper, int planFd, int statusFd, StdioSource[] stdio, int[] extra) {
        LibC c = LibC.INSTANCE;
        Memory actions = new Memory(FILE_ACTIONS_SIZE);
        Memory attr = new Memory(ATTR_SIZE);
        Memory noSignals = new Memory(SIGSET_SIZE);
        Memory allSignals = new Memory(SIGSET_SIZE);
        check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            check(c.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try {
                for (int i = 0; i < 3; i++) {
                    if (stdio[i].inherit()) {
                        continue;
                    }
                    if (stdio[i].fd() < 0) {
                        check(c.posix_spawn_file_actions_addopen(actions, i, "/dev/null", O_RDWR, 0), "addopen");
                    } else {
                        check(c.posix_spawn_file_actions_adddup2(actions, stdio[i].fd(), i), "adddup2");
                    }
                }
                check(c.posix_spawn_file_actions_adddup2(actions, planFd, PLAN_FD), "adddup2");
                check(c.posix_spawn_file_actions_adddup2(actions, statusFd, STATUS_FD), "adddup2");
                for (int i = 0; i < extra.length; i++) {
                    check(c.posix_spawn_file_actions_adddup2(actions, extra[i], JOIN_FD + i), "adddup2");
                }
                // The JDK opens files without O_CLOEXEC: none of them may reach the helper.
                check(c.posix_spawn_file_actions_addclosefrom_np(actions, STATUS_FD + 1 + extra.length), "addclosefrom_np");

                c.sigemptyset(noSignals);
                c.sigfillset(allSignals);
                check(c.posix_spawnattr_setsigmask(attr, noSignals), "setsigmask");
                check(c.posix_spawnattr_setsigdefault(attr, allSignals), "setsigdefault");
                check(c.posix_spawnattr_setflags(attr,
                        (short) (LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)), "setflags");

                int[] pid = new int[1];
                int rc = c.posix_spawn(pid, helper.toString(), actions, attr,
                        new String[] {"barco-helper", null}, new String[] {null});
                if (rc != 0) {
                    throw new BarcoException("cannot start barco's native helper " + helper + ": " + Errno.describe(rc));
                }
                return pid[0];
            } finally {
                c.posix_spawnattr_destroy(attr);
            }
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new BarcoException("posix_spawn setup failed (" + what + "): " + Errno.describe(rc));
        }
    }
}
