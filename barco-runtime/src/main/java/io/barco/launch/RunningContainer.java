package io.barco.launch;

import io.barco.BarcoException;
import io.barco.cgroup.ContainerCgroup;
import io.barco.cgroup.ResourceUsage;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Stdio;
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
    private final Launcher launcher;
    private final ContainerSpec spec;
    private final Container init;
    private final ContainerCgroup cgroup;
    private final byte[] seccomp;
    private final AtomicInteger execCount = new AtomicInteger();
    private final Set<Container> running = ConcurrentHashMap.newKeySet();
    /** Execs hold it shared while they use init's pidfd; close takes it whole. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final java.util.Map<Integer, PortForwarder> forwarders = new java.util.HashMap<>();
    private PortForwarder.NamespaceSockets sockets;
    private final boolean owned;
    private boolean pidfdReleased;
    private final String execPrefix;
    private final java.util.concurrent.atomic.AtomicReference<Launcher.Ahead> ahead =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean preparing = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean closed;

    /**
     * {@code owned}: started by this JVM, closing kills it; else another's (a named container of the
     * CLI, whose init's pidfd the caller opened and checked), and closing ends this handle's commands only.
     */
    RunningContainer(
            Launcher launcher,
            ContainerSpec spec,
            Container init,
            ContainerCgroup cgroup,
            byte[] seccomp,
            boolean owned) {
        this.launcher = launcher;
        this.spec = spec;
        this.init = init;
        this.cgroup = cgroup;
        this.seccomp = seccomp;
        this.owned = owned;
        // another JVM's commands have groups in the same container: the names must not collide
        this.execPrefix = owned ? "exec-" : "exec-" + ProcessHandle.current().pid() + "-";
        // no helper ahead for the first exec: a container used for one command would pay for two
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
            return launcher.collect(process, limits);
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
            boolean usual = execSpec.stdin() == Stdio.DISCARD
                    && execSpec.stdout() == Stdio.PIPE
                    && execSpec.stderr() == Stdio.PIPE;
            Launcher.Ahead prepared = usual ? ahead.getAndSet(null) : null;
            ContainerCgroup group =
                    prepared != null ? prepared.group() : cgroup.createChild(execPrefix + execCount.incrementAndGet());
            Container process;
            try {
                process = prepared != null
                        ? launcher.exec(execSpec, prepared, seccomp)
                        : launcher.exec(execSpec, init, seccomp, group);
            } catch (RuntimeException | Error e) {
                group.close();
                throw e;
            } finally {
                if (usual) {
                    prepareNextExec();
                }
            }
            running.add(process);
            process.onExit().whenComplete((s, e) -> running.remove(process));
            return process;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Makes the helper for the next exec ahead of time, in the background: in its group already, it
     * waits for its plan. Only for a container of ours, and one at a time.
     */
    private void prepareNextExec() {
        if (!owned || !preparing.compareAndSet(false, true)) {
            return;
        }
        launcher.background(() -> {
            lifecycle.readLock().lock();
            try {
                if (closed || ahead.get() != null || !init.isAlive()) {
                    return;
                }
                ContainerCgroup group = cgroup.createChild(execPrefix + execCount.incrementAndGet());
                Launcher.Ahead prepared;
                try {
                    prepared = launcher.prepareExec(init, group);
                } catch (RuntimeException | Error e) {
                    group.close();
                    return; // the next exec starts its helper itself, and reports what fails
                }
                if (!ahead.compareAndSet(null, prepared)) {
                    launcher.discard(prepared);
                }
            } catch (RuntimeException e) {
                // as above: the next exec does it the long way
            } finally {
                lifecycle.readLock().unlock();
                preparing.set(false);
            }
        });
    }

    /**
     * A port on the host's loopback (127.0.0.1) that forwards to {@code containerPort} on the
     * container's own loopback, opened on the first call for that port and closed with the
     * container: tests on the host reach a server in a container whose network is isolated, as
     * Testcontainers' getMappedPort does. With the host's network, the port itself.
     */
    public int hostPort(int containerPort) {
        if (containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("port " + containerPort + " is outside 1..65535");
        }
        if (spec.network() == io.barco.spec.NetworkMode.HOST) {
            return containerPort;
        }
        lifecycle.readLock().lock();
        try {
            if (closed || !init.isAlive()) {
                throw new BarcoException("cannot forward port " + containerPort + ": the container (pid " + init.pid()
                        + ") " + (closed ? "was closed" : "has ended"));
            }
            synchronized (forwarders) {
                PortForwarder forwarder = forwarders.get(containerPort);
                if (forwarder == null) {
                    if (sockets == null) {
                        sockets = new PortForwarder.NamespaceSockets(launcher.host(), init.pidfd(), toString());
                        closeables.add(sockets);
                    }
                    forwarder = new PortForwarder(sockets, containerPort);
                    forwarders.put(containerPort, forwarder);
                    closeables.add(0, forwarder);
                }
                return forwarder.hostPort();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Whether something listens on TCP {@code port} in the container's network (any address, IPv4
     * or IPv6), as the kernel's tables of the container's namespace show it from the host.
     */
    public boolean listening(int port) {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            byte[] bytes;
            try {
                // the kernel writes these, not the container; still read as data, capped
                bytes = io.barco.sys.UntrustedFiles.read(
                        java.nio.file.Path.of("/proc/" + init.pid() + "/net/" + table), 16 << 20);
            } catch (java.io.IOException e) {
                continue; // no IPv6, or the container ended
            }
            for (String line : new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                String[] fields = line.trim().split("\\s+");
                // sl local_address rem_address st ...: st 0A is LISTEN
                if (fields.length > 3 && fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Copies a regular file of the host into the container, at {@code containerPath} (somewhere
     * writable: /tmp, a tmpfs, a writable mount): written by a command in the container, with its
     * ids and privileges, so it can go nowhere the container could not write itself. No link on the
     * host side is followed.
     */
    public void copyInto(java.nio.file.Path hostFile, String containerPath)
            throws java.io.IOException, InterruptedException {
        Container writer = start(ExecSpec.builder("sh")
                .args("-c", "cat > \"$1\"", "sh", containerPath)
                .stdin(Stdio.PIPE)
                .timeout(COPY_TIMEOUT)
                .build());
        try (writer) {
            java.util.concurrent.CompletableFuture<io.barco.output.CapturedOutput> err =
                    drain(writer.stderr().orElseThrow());
            writer.stdout().orElseThrow().close();
            java.io.IOException writeFailure = null;
            try (java.io.OutputStream in = writer.stdin().orElseThrow()) {
                io.barco.sys.UntrustedFiles.copy(hostFile, in, Long.MAX_VALUE);
            } catch (io.barco.sys.UntrustedFiles.RefusedFileException | java.nio.file.NoSuchFileException e) {
                throw e;
            } catch (java.io.IOException e) {
                writeFailure = e; // a broken pipe: the command ended early, and says why below
            }
            ExitStatus status = writer.waitFor();
            if (!status.succeeded()) {
                throw new java.io.IOException(
                        "cannot write " + containerPath + " in the container (" + status
                                + (writer.timedOut() ? ", timed out" : "") + "): "
                                + err.join().text().strip(),
                        writeFailure);
            }
            if (writeFailure != null) {
                throw writeFailure;
            }
        }
    }

    /**
     * Copies a file of the container out to a new host file, as data the host does not trust: it is
     * read by a command in the container (its own view: no link of the container's can reach the
     * host's files), the host takes at most {@code maxBytes} of it or refuses it whole, and the host
     * file is created new (an existing file or link there is an error, not overwritten or followed).
     * Returns the bytes copied.
     */
    public long copyOut(String containerPath, java.nio.file.Path hostFile, long maxBytes)
            throws java.io.IOException, InterruptedException {
        // Created first: a file or link already there fails here, before anything is ours to remove.
        java.io.OutputStream out = java.nio.file.Files.newOutputStream(
                hostFile,
                java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        long total = 0;
        boolean done = false;
        try (out;
                Container reader = start(ExecSpec.builder("cat")
                        .args("--", containerPath)
                        .timeout(COPY_TIMEOUT)
                        .build())) {
            java.util.concurrent.CompletableFuture<io.barco.output.CapturedOutput> err =
                    drain(reader.stderr().orElseThrow());
            try (java.io.InputStream in = reader.stdout().orElseThrow()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        reader.kill();
                        throw new io.barco.sys.UntrustedFiles.RefusedFileException(
                                containerPath + " in the container is more than the " + maxBytes + " bytes allowed");
                    }
                    out.write(buffer, 0, n);
                }
            }
            ExitStatus status = reader.waitFor();
            if (!status.succeeded()) {
                throw new java.io.IOException("cannot read " + containerPath + " in the container (" + status
                        + (reader.timedOut() ? ", timed out" : "") + "): "
                        + err.join().text().strip());
            }
            done = true;
            return total;
        } finally {
            if (!done) {
                java.nio.file.Files.deleteIfExists(hostFile); // the file this call created, and only that
            }
        }
    }

    /** A copy that takes longer than this (a FIFO where a file was expected, say) is killed. */
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);

    private java.util.concurrent.CompletableFuture<io.barco.output.CapturedOutput> drain(java.io.InputStream in) {
        return java.util.concurrent.CompletableFuture.supplyAsync(
                () -> io.barco.output.OutputCapture.drain(in, OutputLimits.DEFAULT.withMemoryBytes(64 << 10), "stderr"),
                launcher::background);
    }

    /** The container's groups by controller, for a process that joins it (see {@link NamedContainers}). */
    java.util.Map<String, java.nio.file.Path> cgroupDirectories() {
        return cgroup.directories();
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
        Launcher.Ahead unused = ahead.getAndSet(null);
        if (unused != null) {
            try {
                launcher.discard(unused);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        List<AutoCloseable> toClose;
        synchronized (forwarders) {
            synchronized (closeables) {
                toClose = List.copyOf(closeables);
                closeables.clear();
            }
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                failure = failure == null ? new BarcoException("closing " + c + ": " + e.getMessage(), e) : failure;
            }
        }
        if (!owned) {
            for (Container process : List.copyOf(running)) {
                process.close();
            }
            synchronized (this) {
                if (!pidfdReleased) {
                    pidfdReleased = true;
                    launcher.host().close(init.pidfd());
                }
            }
            return;
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
