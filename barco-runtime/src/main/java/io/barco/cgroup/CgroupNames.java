package io.barco.cgroup;

import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container groups are named {@code barco-OWNERPID-OWNERSTART-N}: the launching JVM's pid and start
 * time (so a recycled pid is not mistaken for the owner) and a counter. A group whose owner is gone
 * was left by a JVM that died: {@link Cgroups#collectGarbage} removes it.
 */
final class CgroupNames {
    static final String PREFIX = "barco-";
    private static final Pattern NAME = Pattern.compile("barco-(\\d+)-(\\d+)-\\d+");
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final long SELF = ProcessHandle.current().pid();
    private static final String SELF_START = startTime(SELF);

    private CgroupNames() {
    }

    static String next() {
        return PREFIX + SELF + "-" + SELF_START + "-" + COUNTER.incrementAndGet();
    }

    static boolean isBarcoGroup(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether the JVM that created the group still runs. */
    static boolean ownerAlive(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return true;
        }
        String start = startTime(Long.parseLong(m.group(1)));
        return start.equals(m.group(2));
    }

    /** Field 22 of /proc/PID/stat, clock ticks after boot; "0" when the process does not exist. */
    static String startTime(long pid) {
        try {
            String stat = ProcFiles.read(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[19];
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }
}
