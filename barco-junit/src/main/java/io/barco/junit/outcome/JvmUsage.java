package io.barco.junit.outcome;

import io.barco.sys.Host;
import io.barco.sys.LinuxHost;
import java.io.IOException;

/**
 * The forked JVM's own clock, CPU time and peak memory, read where its tests run so that each test
 * of a batch gets its share of the JVM: wall time, the user and system CPU time of all the JVM's
 * threads (the test's, the compiler's and the collector's) from {@code /proc/self/stat}, in the
 * kernel's 10 ms ticks ({@code USER_HZ} is 100 in everything Linux exports to user space), and the
 * JVM's resident memory at its highest while the test ran: the kernel's high-water mark
 * ({@code VmHWM} of {@code /proc/self/status}), reset to the current size as the test starts by
 * writing 5 to {@code /proc/self/clear_refs}. Tests of a fork run one at a time, so it is the test's.
 * All of it through the {@link Host}, whose {@code /proc} a unit test serves.
 */
public final class JvmUsage {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Host host;

    public JvmUsage(Host host) {
        this.host = host;
    }

    /** This JVM's, from the machine's /proc (no native call: JNA is never loaded for it). */
    public static JvmUsage ofThisJvm() {
        return new JvmUsage(new LinuxHost());
    }

    /** {wall nanos, user ticks, system ticks}; the ticks -1 when unreadable. */
    public long[] now() {
        long[] sample = {host.nanoTime(), -1, -1};
        try {
            String stat = host.read(host.proc().resolve("self/stat"));
            // fields after the command name, which is in parentheses and may hold spaces and parentheses
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            sample[1] = Long.parseLong(fields[11]); // utime, field 14
            sample[2] = Long.parseLong(fields[12]); // stime, field 15
        } catch (IOException | RuntimeException e) {
            // no /proc: the wall time alone
        }
        return sample;
    }

    /** As {@link #now()}, for a test that starts: the JVM's memory high-water mark starts again from here. */
    public long[] startOfTest() {
        boolean reset;
        try {
            host.write(host.proc().resolve("self/clear_refs"), "5");
            reset = true;
        } catch (IOException | RuntimeException e) {
            reset = false; // no /proc, or a kernel without it: no peak of the test's own
        }
        long[] sample = now();
        return new long[] {sample[0], sample[1], sample[2], reset ? 1 : 0};
    }

    public OutcomeFile.Spent since(long[] start) {
        long[] end = now();
        boolean cpu = start[1] >= 0 && end[1] >= 0;
        return new OutcomeFile.Spent(
                end[0] - start[0],
                cpu ? (end[1] - start[1]) * NANOS_PER_TICK : -1,
                cpu ? (end[2] - start[2]) * NANOS_PER_TICK : -1,
                start.length > 3 && start[3] == 1 ? peakResidentBytes() : -1);
    }

    /** VmHWM of /proc/self/status in bytes, or -1. */
    long peakResidentBytes() {
        try {
            for (String line : host.read(host.proc().resolve("self/status")).split("\n")) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: unknown
        }
        return -1;
    }
}
