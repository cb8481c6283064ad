package io.barco.cgroup;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps the highest value a counter file showed, read every few milliseconds, where the kernel keeps no peak. */
final class PeakSampler {
    private static final long PERIOD_MILLIS = 5;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "barco-cgroup-sampler");
        thread.setDaemon(true);
        return thread;
    });

    private final CgroupFiles files;
    private final Path file;
    private final AtomicLong peak = new AtomicLong(-1);
    private ScheduledFuture<?> task;

    PeakSampler(CgroupFiles files, Path file) {
        this.files = files;
        this.file = file;
    }

    synchronized void start() {
        if (task == null) {
            sample();
            task = TIMER.scheduleAtFixedRate(this::sample, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void sample() {
        files.readLong(file).ifPresent(value -> peak.accumulateAndGet(value, Math::max));
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
