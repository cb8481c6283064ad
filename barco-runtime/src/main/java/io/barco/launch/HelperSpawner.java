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
    static int spawn(Host host, Path helper, int planFd, int statusFd, StdioSource[] stdio) {
        List<Host.Redirect> redirects = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (!stdio[i].inherit()) {
                redirects.add(new Host.Redirect(i, stdio[i].fd() < 0 ? Host.Redirect.DEV_NULL : stdio[i].fd()));
            }
        }
        redirects.add(new Host.Redirect(PLAN_FD, planFd));
        redirects.add(new Host.Redirect(STATUS_FD, statusFd));
        try {
            return host.spawn(helper, "barco-helper", redirects, STATUS_FD + 1);
        } catch (LastErrorException e) {
            throw new BarcoException("cannot start barco's native helper " + helper + ": " + Errno.describe(e.getErrorCode()));
        }
    }
}
