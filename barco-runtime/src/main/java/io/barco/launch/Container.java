package io.barco.launch;

import com.sun.jna.LastErrorException;
import io.barco.sys.Errno;
import io.barco.sys.Host;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running container, seen through its first process (PID 1 inside). Safe to use from several
 * threads. Closing it kills whatever still runs and releases its descriptors; when PID 1 dies the
 * kernel kills every other process of the container's PID namespace.
 */
public final class Container implements AutoCloseable {
    /** How the container ended: its status, what it used, and a failure to clean up, if any. */
    record Ending(ExitStatus status, io.barco.cgroup.ResourceUsage usage, RuntimeException cleanupFailure) {}

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private final Host host;
    private final ScheduledExecutorService timers;
    private final int pid;
    private final int pidfd;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<ExitStatus> exit;
    private final CompletableFuture<Ending> ending;
    private final long startNanos;
    private volatile boolean timedOut;
    private volatile long endNanos;
    private boolean closed;

    Container(
            Host host,
            ScheduledExecutorService timers,
            int pid,
            int pidfd,
            OutputStream stdin,
            InputStream stdout,
            InputStream stderr,
            CompletableFuture<Ending> ending,
            long startNanos) {
        this.host = host;
        this.timers = timers;
        this.pid = pid;
        this.pidfd = pidfd;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.startNanos = startNanos;
        this.ending = ending;
        this.exit =
                ending.whenComplete((e, error) -> endNanos = host.nanoTime()).thenApply(Ending::status);
    }

    /** The host pid of the container's first process. */
    public int pid() {
        return pid;
    }

    /** The pidfd of the first process; valid until {@link #close()}. */
    int pidfd() {
        return pidfd;
    }

    /** The container's standard input when it is a pipe; else an empty optional. */
    public Optional<OutputStream> stdin() {
        return Optional.ofNullable(stdin);
    }

    public Optional<InputStream> stdout() {
        return Optional.ofNullable(stdout);
    }

    public Optional<InputStream> stderr() {
        return Optional.ofNullable(stderr);
    }

    /** Completes when the container's first process has exited and been reaped. */
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    public ExitStatus waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for container " + pid + " failed", e.getCause());
        }
    }

    /** The exit status, or empty if the container still runs after {@code timeout}. */
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(nanos(timeout), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for container " + pid + " failed", e.getCause());
        }
    }

    public boolean isAlive() {
        return !exit.isDone();
    }

    /**
     * Sends a signal to the container's first process through its pidfd, so a recycled pid can never
     * be hit. As for any PID 1, signals it installed no handler for are ignored, except SIGKILL.
     */
    public synchronized boolean signal(int signal) {
        if (closed || exit.isDone()) {
            return false;
        }
        try {
            host.pidfdSendSignal(pidfd, signal);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ESRCH) {
                return false;
            }
            throw new IllegalStateException(
                    "pidfd_send_signal(" + pid + ", " + signal + "): " + Errno.describe(e.getErrorCode()), e);
        }
    }

    /** Kills every process of the container. */
    public boolean kill() {
        return signal(SIGKILL);
    }

    /**
     * Kills the container, and marks it as timed out, if it still runs {@code timeout} from now (a
     * spec's timeout starts at the launch; this one where the caller says, such as when a container
     * started ahead of time gets its work). A timeout beyond what nanoseconds hold means never.
     */
    public void killAfter(Duration timeout) {
        ScheduledFuture<?> timer = timers.schedule(
                () -> {
                    if (isAlive()) {
                        timedOut = true;
                        kill();
                    }
                },
                nanos(timeout),
                TimeUnit.NANOSECONDS);
        exit.whenComplete((s, e) -> timer.cancel(false));
    }

    /** The duration in nanoseconds, saturated: past about 292 years, toNanos() overflows. */
    private static long nanos(Duration d) {
        return d.compareTo(io.barco.spec.Durations.MAX) > 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** What the container used, once it has ended. */
    public Optional<io.barco.cgroup.ResourceUsage> usage() {
        return ending.isDone() && !ending.isCompletedExceptionally()
                ? Optional.of(ending.join().usage())
                : Optional.empty();
    }

    /** Whether the OOM killer killed a task of the container (its first process or another). */
    public boolean oomKilled() {
        return usage().map(io.barco.cgroup.ResourceUsage::oomKilled).orElse(false);
    }

    /** Whether the container was killed because it outlived its timeout. */
    public boolean timedOut() {
        return timedOut;
    }

    /** Time from the start of the launch to the reaping of the first process, or until now. */
    public Duration wallTime() {
        long end = exit.isDone() ? endNanos : host.nanoTime();
        return Duration.ofNanos(end - startNanos);
    }

    /** Kills the container if it still runs, waits for it and releases its descriptors. */
    @Override
    public void close() {
        kill();
        boolean interrupted = false;
        for (; ; ) {
            try {
                exit.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        synchronized (this) {
            if (!closed) {
                closed = true;
                host.close(pidfd);
                if (stdin != null) {
                    try {
                        stdin.close();
                    } catch (java.io.IOException ignored) {
                        // an FdOutputStream closes without failing
                    }
                }
                closeQuietly(stdout);
                closeQuietly(stderr);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Ending end = ending.getNow(null);
        if (end != null && end.cleanupFailure() != null) {
            throw end.cleanupFailure();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (java.io.IOException ignored) {
                // an FdInputStream closes without failing
            }
        }
    }

    @Override
    public String toString() {
        return "Container[pid " + pid + (exit.isDone() ? ", " + exit.join() : ", running") + "]";
    }
}
