package io.barco.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.List;

/**
 * posix_spawn, the primitive the JDK itself uses: vfork semantics, so its cost does not grow with
 * the JVM's heap, and descriptors can be handed over at the numbers the child expects.
 */
final class PosixSpawn {
    private static final int FILE_ACTIONS_SIZE = 256; // glibc x86-64: 80 bytes
    private static final int ATTR_SIZE = 512; // glibc x86-64: 336 bytes
    private static final int SIGSET_SIZE = 128;
    private static final int O_RDWR = 2;

    private PosixSpawn() {}

    static int spawn(LibC c, Path program, String argv0, List<Host.Redirect> redirects, int closeFrom) {
        Memory actions = new Memory(FILE_ACTIONS_SIZE);
        Memory attr = new Memory(ATTR_SIZE);
        Memory noSignals = new Memory(SIGSET_SIZE);
        Memory allSignals = new Memory(SIGSET_SIZE);
        check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            check(c.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try {
                for (Host.Redirect redirect : redirects) {
                    if (redirect.source() == Host.Redirect.DEV_NULL) {
                        check(
                                c.posix_spawn_file_actions_addopen(actions, redirect.target(), "/dev/null", O_RDWR, 0),
                                "addopen");
                    } else {
                        check(
                                c.posix_spawn_file_actions_adddup2(actions, redirect.source(), redirect.target()),
                                "adddup2");
                    }
                }
                // The JDK opens files without O_CLOEXEC: none of them may reach the child.
                check(c.posix_spawn_file_actions_addclosefrom_np(actions, closeFrom), "addclosefrom_np");

                c.sigemptyset(noSignals);
                c.sigfillset(allSignals);
                check(c.posix_spawnattr_setsigmask(attr, noSignals), "setsigmask");
                check(c.posix_spawnattr_setsigdefault(attr, allSignals), "setsigdefault");
                check(
                        c.posix_spawnattr_setflags(
                                attr, (short) (LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)),
                        "setflags");

                int[] pid = new int[1];
                int rc = c.posix_spawn(
                        pid, program.toString(), actions, attr, new String[] {argv0, null}, new String[] {null});
                if (rc != 0) {
                    throw new LastErrorException(rc);
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
            throw new IllegalStateException("posix_spawn setup failed (" + what + "): " + Errno.describe(rc));
        }
    }
}
