package io.barco.spec;

import io.barco.Setting;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Resource limits, enforced with cgroups. Every field is optional; absent means unlimited. Swap is
 * off by default: with a memory limit and no memory+swap limit, the container may not swap.
 *
 * @param memory bytes of memory (memory.max)
 * @param memorySwap bytes of memory plus swap; null means equal to {@code memory}, no swap
 * @param cpuWeight relative CPU share, 1..10000 (cgroup v2 cpu.weight; 100 is the kernel's default)
 * @param cpus CPU time as a number of cores, e.g. 1.5 = 150 ms per 100 ms period
 * @param pids the most tasks (processes and threads) at once
 */
public record Limits(Long memory, Long memorySwap, Integer cpuWeight, Double cpus, Integer pids) {
    public static final Limits NONE = new Limits(null, null, null, null, null);
    /** The seed's limits: memory.max 1G, cpu.weight 256, pids.max 64. */
    public static final Limits SEED =
            NONE.withMemory(1L << 30).withCpuWeight(256).withPids(64);
    /** The CFS period barco uses for {@link #cpus}: 100 ms. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    /**
     * The largest pids.max the kernel accepts: PID_MAX_LIMIT, 4194304 on 64-bit (kernel/cgroup/pids.c
     * refuses a limit above it with EINVAL, for cgroup v1 and v2 alike; 4194305 measured as refused on 6.18).
     */
    public static final int PIDS_MAX = 4 * 1024 * 1024;

    public Limits {
        if (memory != null && memory < 4096) {
            throw new InvalidSpecException(
                    "memory limit " + memory + " is too small: give at least 4K, e.g. 64M", Setting.MEMORY);
        }
        if (memorySwap != null && (memory == null || memorySwap < memory)) {
            throw new InvalidSpecException(
                    "memory+swap limit must be at least the memory limit, which must be set too", Setting.MEMORY_SWAP);
        }
        if (cpuWeight != null && (cpuWeight < 1 || cpuWeight > 10000)) {
            throw new InvalidSpecException("cpu weight " + cpuWeight + " is outside 1..10000", Setting.CPU_WEIGHT);
        }
        if (cpus != null && !(cpus >= 0.01 && cpus <= 4096)) {
            throw new InvalidSpecException(
                    "cpus " + cpus + " is not a positive number of cores (at least 0.01)", Setting.CPUS);
        }
        if (pids != null && pids < 1) {
            throw new InvalidSpecException("pids limit " + pids + " must be at least 1", Setting.PIDS);
        }
        if (pids != null && pids > PIDS_MAX) {
            throw new InvalidSpecException(
                    "pids limit " + pids + " is above the kernel's limit of " + PIDS_MAX
                            + " (PID_MAX_LIMIT): give at most " + PIDS_MAX + ", or no pids limit",
                    Setting.PIDS);
        }
    }

    public Limits withMemory(long bytes) {
        return new Limits(bytes, memorySwap, cpuWeight, cpus, pids);
    }

    /** Memory as text: {@code 512M}, {@code 1G}. */
    public Limits withMemory(String size) {
        try {
            return withMemory(Size.parse(size));
        } catch (InvalidSpecException e) {
            throw e.about(Setting.MEMORY);
        }
    }

    public Limits withMemorySwap(long bytes) {
        return new Limits(memory, bytes, cpuWeight, cpus, pids);
    }

    public Limits withCpuWeight(int weight) {
        return new Limits(memory, memorySwap, weight, cpus, pids);
    }

    public Limits withCpus(double cores) {
        return new Limits(memory, memorySwap, cpuWeight, cores, pids);
    }

    public Limits withPids(int max) {
        return new Limits(memory, memorySwap, cpuWeight, cpus, max);
    }

    public OptionalLong memoryLimit() {
        return memory == null ? OptionalLong.empty() : OptionalLong.of(memory);
    }

    /** Memory plus swap; equal to the memory limit unless swap was allowed. */
    public OptionalLong memorySwapLimit() {
        return memorySwap != null ? OptionalLong.of(memorySwap) : memoryLimit();
    }

    public OptionalInt cpuWeightLimit() {
        return cpuWeight == null ? OptionalInt.empty() : OptionalInt.of(cpuWeight);
    }

    public OptionalDouble cpusLimit() {
        return cpus == null ? OptionalDouble.empty() : OptionalDouble.of(cpus);
    }

    /** The CFS quota for {@link #cpus} per {@link #CPU_PERIOD_MICROS}. */
    public OptionalLong cpuQuotaMicros() {
        return cpus == null ? OptionalLong.empty() : OptionalLong.of(Math.round(cpus * CPU_PERIOD_MICROS));
    }

    public OptionalInt pidsLimit() {
        return pids == null ? OptionalInt.empty() : OptionalInt.of(pids);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (memory != null) {
            s.append("memory ").append(Size.format(memory));
        }
        if (memorySwap != null) {
            s.append(s.isEmpty() ? "" : ", ").append("memory+swap ").append(Size.format(memorySwap));
        }
        if (cpuWeight != null) {
            s.append(s.isEmpty() ? "" : ", ").append("cpu weight ").append(cpuWeight);
        }
        if (cpus != null) {
            s.append(s.isEmpty() ? "" : ", ").append("cpus ").append(String.format(Locale.ROOT, "%s", cpus));
        }
        if (pids != null) {
            s.append(s.isEmpty() ? "" : ", ").append("pids ").append(pids);
        }
        return s.isEmpty() ? "no limits" : s.toString();
    }
}
