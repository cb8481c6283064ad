package io.barco.cgroup;

import io.barco.spec.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a container used, read from its cgroups after it ended. A figure the host cannot provide is
 * empty. The peak number of tasks is exact where the kernel keeps it (cgroup v2 pids.peak, Linux
 * 6.1) and sampled otherwise, which {@link #peakTasksSampled()} says.
 *
 * @param peakMemoryBytes the most memory charged at once, page cache included
 * @param cpuUser CPU time in user mode, all tasks together
 * @param cpuSystem CPU time in the kernel, all tasks together
 * @param peakTasks the most tasks (processes and threads) at once
 * @param peakTasksSampled whether {@code peakTasks} comes from sampling rather than the kernel
 * @param oomKills how many tasks the OOM killer killed
 * @param ioReadBytes bytes read from block devices
 * @param ioWriteBytes bytes written to block devices
 * @param wallTime from the start of the launch to the end of the container
 */
public record ResourceUsage(
        OptionalLong peakMemoryBytes,
        Optional<Duration> cpuUser,
        Optional<Duration> cpuSystem,
        OptionalLong peakTasks,
        boolean peakTasksSampled,
        long oomKills,
        OptionalLong ioReadBytes,
        OptionalLong ioWriteBytes,
        Duration wallTime) {

    /** User plus system CPU time, when known. */
    public Optional<Duration> cpuTotal() {
        return cpuUser.flatMap(u -> cpuSystem.map(u::plus));
    }

    public boolean oomKilled() {
        return oomKills > 0;
    }

    /** The same figures over another wall time, such as from when a container started ahead of time got its work. */
    public ResourceUsage withWallTime(Duration wallTime) {
        return new ResourceUsage(
                peakMemoryBytes,
                cpuUser,
                cpuSystem,
                peakTasks,
                peakTasksSampled,
                oomKills,
                ioReadBytes,
                ioWriteBytes,
                wallTime);
    }

    /** One line per figure, as {@code barco --stats} prints them. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("wall time      " + millis(wallTime));
        cpuUser.ifPresent(d -> lines.add("cpu user       " + millis(d)));
        cpuSystem.ifPresent(d -> lines.add("cpu system     " + millis(d)));
        peakMemoryBytes.ifPresent(b -> lines.add("peak memory    " + Size.human(b) + " (" + b + " bytes)"));
        peakTasks.ifPresent(n -> lines.add("peak tasks     " + n + (peakTasksSampled ? " (sampled)" : "")));
        lines.add("oom kills      " + oomKills);
        ioReadBytes.ifPresent(b -> lines.add("io read        " + Size.human(b)));
        ioWriteBytes.ifPresent(b -> lines.add("io written     " + Size.human(b)));
        return lines;
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
