package io.barco.cgroup;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Keeps the highest value a counter file showed, read every few milliseconds, where the kernel keeps no peak. */
final class PeakSampler {
    private static final long PERIOD_MILLIS = 5;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "barco-cgroup-sampler");
        thread.setDaemon(true);
        return thread;
    });

    private final Supplier<OptionalLong> counter;
    private final AtomicLong peak;
    private ScheduledFuture<?> task;

    /** Samples the number in {@code file}, such as pids.current. */
    PeakSampler(CgroupFiles files, Path file) {
        this(() -> files.readLong(file), -1);
    }

    /** Samples {@code counter}; the peak is at least {@code floor} (-1: none), what is known to have been there. */
    PeakSampler(Supplier<OptionalLong> counter, long floor) {
        this.counter = counter;
        this.peak = new AtomicLong(floor);
    }

    synchronized void start() {
        if (task == null) {
            sample();
            task = TIMER.scheduleAtFixedRate(this::sample, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void sample() {
        counter.get().ifPresent(value -> peak.accumulateAndGet(value, Math::max));
    }

    /** Stops sampling and returns the peak seen, if any. */
    synchronized OptionalLong stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        long value = peak.get();
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
