package io.barco.sys;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Who made a thing barco leaves on the host while a JVM runs (a cgroup, a temp directory): that
 * JVM's pid and start time, {@code PID-START}. The start time tells a recycled pid from the owner,
 * so a thing whose owner is gone was left by a JVM that died, and may be collected.
 */
public final class LauncherIdentity {
    private static final long SELF = ProcessHandle.current().pid();
    private static final String SELF_START = startTime(SELF);

    private LauncherIdentity() {}

    /** This JVM's {@code PID-START}. */
    public static String self() {
        return SELF + "-" + SELF_START;
    }

    /** Whether the process with this pid and start time still runs. */
    public static boolean alive(long pid, String start) {
        return alive(Path.of("/proc"), pid, start);
    }

    /** Whether the process with this pid and start time still runs, as the procfs at {@code proc} shows. */
    public static boolean alive(Path proc, long pid, String start) {
        return startTime(proc, pid).equals(start);
    }

    /** Field 22 of /proc/PID/stat, clock ticks after boot; "0" when the process does not exist. */
    public static String startTime(long pid) {
        return startTime(Path.of("/proc"), pid);
    }

    private static String startTime(Path proc, long pid) {
        try {
            String stat = ProcFiles.read(proc.resolve(pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[19];
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }
}
