package io.barco.launch;

import io.barco.BarcoException;
import io.barco.cgroup.ContainerCgroup;
import io.barco.cgroup.ResourceUsage;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A container that runs until closed, as {@code docker run -d} gives: its PID 1 is barco's init
 * (in the native helper: it reaps orphans, forwards signals to the other processes, and exits with
 * the JVM that started it, which takes the whole container down). Commands run in it with
 * {@link #exec} (to the end, output captured) and {@link #start} (a handle, e.g. a server), each
 * joining its namespaces, cgroups, root, ids, capabilities and seccomp filter, the way
 * {@code docker exec} does. So a server started here listens on the container's own loopback,
 * which every exec shares, and which {@link #hostPort} brings to the host's.
 *
 * <p>Each command has a group of its own below the container's and so its own usage; whatever a
 * command leaves running when it ends is killed with its group. Closing kills everything, then
 * removes the groups; a JVM that dies takes its containers along (init watches it), and the next
 * launch or {@code barco gc} removes their groups.
 */
public final class RunningContainer implements AutoCloseable {
    private final ContainerSpec spec;
    private final Container init;
    private final ContainerCgroup cgroup;
    private final byte[] seccomp;
    private final AtomicInteger execCount = new AtomicInteger();
    private final Set<Container> running = ConcurrentHashMap.newKeySet();
    /** Execs hold it shared while they use init's pidfd; close takes it whole. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private boolean closed;

    RunningContainer(ContainerSpec spec, Container init, ContainerCgroup cgroup, byte[] seccomp) {
        this.spec = spec;
        this.init = init;
        this.cgroup = cgroup;
        this.seccomp = seccomp;
    }

    /** The spec the container was started with; its command is not run. */
    public ContainerSpec spec() {
        return spec;
    }

    /** The host pid of the container's init (PID 1 inside). */
    public int pid() {
        return init.pid();
    }

    public boolean isAlive() {
        return init.isAlive();
    }

    /** Runs a command to its end (or its timeout), output kept within {@link OutputLimits#DEFAULT}. */
    public ContainerResult exec(String... argv) throws InterruptedException {
        return exec(ExecSpec.of(argv), OutputLimits.DEFAULT);
    }

    public ContainerResult exec(ExecSpec exec) throws InterruptedException {
        return exec(exec, OutputLimits.DEFAULT);
    }

    public ContainerResult exec(ExecSpec exec, OutputLimits limits) throws InterruptedException {
        try (Container process = start(exec)) {
            return Launcher.collect(process, limits);
        }
    }

    /** Starts a command and returns its handle; closing the handle kills the command and what it started. */
    public Container start(String... argv) {
        return start(ExecSpec.of(argv));
    }

    public Container start(ExecSpec exec) {
        ContainerSpec execSpec = exec.applyTo(spec);
        lifecycle.readLock().lock();
        try {
            if (closed || !init.isAlive()) {
                throw new BarcoException("cannot run " + exec + ": the container (pid " + init.pid() + ") "
                        + (closed ? "was closed" : "has ended: " + init.onExit().getNow(null)));
            }
            ContainerCgroup group = cgroup.createChild("exec-" + execCount.incrementAndGet());
            Container process;
            try {
                process = Launcher.exec(execSpec, init, seccomp, group);
            } catch (RuntimeException | Error e) {
                group.close();
                throw e;
            }
            running.add(process);
            process.onExit().whenComplete((s, e) -> running.remove(process));
            return process;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Registers something to close with the container, before its processes are killed (a port forwarder). */
    void closeWithContainer(AutoCloseable closeable) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new BarcoException("the container (pid " + init.pid() + ") was closed");
            }
            synchronized (closeables) {
                closeables.add(closeable);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Container's first process handle: for its pidfd, signals and end. */
    Container init() {
        return init;
    }

    /** Waits for the container to end by itself (killed, or its JVM's end), up to {@code timeout}. */
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        return init.waitFor(timeout);
    }

    /** What the container used in all, every command included; once closed. */
    public Optional<ResourceUsage> usage() {
        return init.usage();
    }

    /**
     * Kills every process of the container (init's end takes the PID namespace down), waits for
     * them, and removes its groups. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
        RuntimeException failure = null;
        List<AutoCloseable> toClose;
        synchronized (closeables) {
            toClose = List.copyOf(closeables);
            closeables.clear();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                failure = failure == null ? new BarcoException("closing " + c + ": " + e.getMessage(), e) : failure;
            }
        }
        init.kill();
        for (Container process : List.copyOf(running)) {
            try {
                process.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        try {
            init.close();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "RunningContainer[pid " + init.pid() + (init.isAlive() ? ", running" : ", ended") + "]";
    }
}
