package io.barco.launch;

import com.sun.jna.LastErrorException;
import io.barco.BarcoException;
import io.barco.sys.Errno;
import io.barco.sys.Host;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the native helper with the plan on fd 3, the status pipe on fd 4 and its stdio as the
 * spec asks; the host spawns it with posix_spawn, whose cost does not grow with the JVM's heap.
 */
final class HelperSpawner {
    static final int PLAN_FD = 3;
    static final int STATUS_FD = 4;
    /** A pidfd of the running container an exec joins (the plan's SETNS names it). */
    static final int JOIN_FD = 5;
    /** The pipe an exec made ahead of time reads the rest of its plan from (the plan's NEXT_PLAN names it). */
    static final int NEXT_PLAN_FD = 6;

    /** Where each of the helper's stdio descriptors comes from: a descriptor to dup, or -1 for /dev/null. */
    record StdioSource(boolean inherit, int fd) {
        static final StdioSource INHERIT = new StdioSource(true, -1);
        static final StdioSource DEV_NULL = new StdioSource(false, -1);

        static StdioSource of(int fd) {
            return new StdioSource(false, fd);
        }
    }

    private HelperSpawner() {}

    /** Spawns the helper and returns its pid. */
    static int spawn(Host host, Path helper, int planFd, int statusFd, StdioSource[] stdio) {
        return spawn(host, helper, planFd, statusFd, stdio, new int[0]);
    }

    /** Spawns the helper with {@code extra[i]} as its descriptor {@code JOIN_FD + i}, and returns its pid. */
    static int spawn(Host host, Path helper, int planFd, int statusFd, StdioSource[] stdio, int[] extra) {
        List<Host.Redirect> redirects = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (!stdio[i].inherit()) {
                redirects.add(new Host.Redirect(i, stdio[i].fd() < 0 ? Host.Redirect.DEV_NULL : stdio[i].fd()));
            }
        }
        redirects.add(new Host.Redirect(PLAN_FD, planFd));
        redirects.add(new Host.Redirect(STATUS_FD, statusFd));
        for (int i = 0; i < extra.length; i++) {
            redirects.add(new Host.Redirect(JOIN_FD + i, extra[i]));
        }
        try {
            return host.spawn(helper, "barco-helper", redirects, STATUS_FD + 1 + extra.length);
        } catch (LastErrorException e) {
            throw new BarcoException(
                    "cannot start barco's native helper " + helper + ": " + Errno.describe(e.getErrorCode())
                            + (e.getErrorCode() == Errno.EACCES
                                    ? " (where its directory is on a filesystem mounted noexec, give barco"
                                            + " another for its cache with XDG_CACHE_HOME=DIR)"
                                    : ""));
        }
    }
}
