package io.barco.cgroup;

import io.barco.sys.LauncherIdentity;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container groups are named {@code barco-OWNERPID-OWNERSTART-N}: the launching JVM's pid and start
 * time (so a recycled pid is not mistaken for the owner) and a counter. A group whose owner is gone
 * was left by a JVM that died: {@link Cgroups#collectGarbage} removes it. Whether an owner runs is
 * read from the host's /proc.
 */
final class CgroupNames {
    static final String PREFIX = "barco-";
    private static final Pattern NAME = Pattern.compile("barco-(\\d+)-(\\d+)-\\d+");
    /** One per JVM, not per runtime: two runtimes of one JVM share its identity, so they must not share numbers. */
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Path proc;

    CgroupNames(Path proc) {
        this.proc = proc;
    }

    static String next() {
        return PREFIX + LauncherIdentity.self() + "-" + COUNTER.incrementAndGet();
    }

    static boolean isBarcoGroup(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether the JVM that created the group still runs. */
    boolean ownerAlive(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return true;
        }
        return LauncherIdentity.alive(proc, Long.parseLong(m.group(1)), m.group(2));
    }
}
