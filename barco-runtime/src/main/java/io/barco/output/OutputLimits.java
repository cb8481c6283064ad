package io.barco.output;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How much of a container's stdout and stderr the host keeps. At most {@code memoryBytes} per
 * stream stay in memory: its first half (the head) and its last half (the tail); what lies between
 * is dropped and counted. With a spill directory, each stream that outgrows memory is also written
 * whole to a file there, up to {@code spillBytes} (after which the file stops growing and says so).
 *
 * <p>A container may write without end ({@code yes}, a test looping on a print): nothing it writes
 * may grow the host's memory or disk without a bound.
 *
 * @param memoryBytes bytes kept in memory per stream, at least 2 (half head, half tail)
 * @param spillDirectory where spill files go, or null for none; created if missing
 * @param spillBytes the most bytes a spill file holds
 */
public record OutputLimits(long memoryBytes, Path spillDirectory, long spillBytes) {
    /** 4 MiB per stream in memory: 2 MiB head, 2 MiB tail. */
    public static final long DEFAULT_MEMORY_BYTES = 4L << 20;
    /** 256 MiB per spill file: enough for any log a person reads, not enough to fill a disk by accident. */
    public static final long DEFAULT_SPILL_BYTES = 256L << 20;
    /** What {@code Barco.run(spec)} uses: 4 MiB per stream in memory, no spill file. */
    public static final OutputLimits DEFAULT = new OutputLimits(DEFAULT_MEMORY_BYTES, null, DEFAULT_SPILL_BYTES);

    public OutputLimits {
        // a byte[] holds at most Integer.MAX_VALUE - 8 bytes: each half must fit in one array
        if (memoryBytes < 2 || memoryBytes > 1L << 30) {
            throw new IllegalArgumentException("output memory limit " + memoryBytes
                    + " is outside 2 bytes..1G per stream: give e.g. 4M, and a spill directory to keep more");
        }
        if (spillBytes < 0) {
            throw new IllegalArgumentException("spill limit " + spillBytes + " is negative: give a size, e.g. 256M");
        }
    }

    /** The same limits with at most {@code bytes} kept in memory per stream. */
    public OutputLimits withMemoryBytes(long bytes) {
        return new OutputLimits(bytes, spillDirectory, spillBytes);
    }

    /** The same limits, spilling streams that outgrow memory to files in {@code directory}. */
    public OutputLimits withSpillDirectory(Path directory) {
        return new OutputLimits(memoryBytes, directory, spillBytes);
    }

    /** The same limits with spill files capped at {@code bytes}. */
    public OutputLimits withSpillBytes(long bytes) {
        return new OutputLimits(memoryBytes, spillDirectory, bytes);
    }

    public Optional<Path> spill() {
        return Optional.ofNullable(spillDirectory);
    }
}
