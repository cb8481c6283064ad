package io.barco.launch;

import com.sun.jna.LastErrorException;
import io.barco.BarcoException;
import io.barco.cgroup.Cgroups;
import io.barco.cgroup.ContainerCgroup;
import io.barco.cgroup.ResourceUsage;
import io.barco.output.CapturedOutput;
import io.barco.output.OutputCapture;
import io.barco.output.OutputLimits;
import io.barco.plan.CgroupPlacement;
import io.barco.plan.HostFacts;
import io.barco.plan.LaunchPlan;
import io.barco.plan.LaunchPlanner;
import io.barco.plan.Op;
import io.barco.plan.PlanEncoder;
import io.barco.seccomp.SeccompCompiler;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import io.barco.sys.Descriptors;
import io.barco.sys.Errno;
import io.barco.sys.FdInputStream;
import io.barco.sys.FdOutputStream;
import io.barco.sys.LibC;
import io.barco.sys.Terminal;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Launches containers: spec, then plan, then the native helper, then a {@link Container} handle.
 * Any number of launches may run at once from any threads.
 */
public final class Launcher {
    private static final ExecutorService WAITERS = Executors.newCachedThreadPool(daemon("barco-wait"));
    private static final Set<Container> LIVE = ConcurrentHashMap.newKeySet();
    private static final HostFacts HOST = HostFacts.current();

    static {
        // Containers die with the JVM that launched them when it exits in an orderly way, and their
        // cgroups go with them; after a SIGKILL, the next launch or `barco gc` collects the groups.
        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::killAllAndWait, "barco-shutdown"));
    }

    private static void killAllAndWait() {
        List<Container> live = List.copyOf(LIVE);
        live.forEach(Container::kill);
        for (Container container : live) {
            try {
                container.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the JVM is going away: best effort
            }
        }
        Cgroups.removeParentIfUnused();
    }

    private Launcher() {
    }

    public static Container launch(ContainerSpec spec) {
        return launch(spec, LaunchObserver.NONE);
    }

    public static Container launch(ContainerSpec spec, LaunchObserver observer) {
        long start = System.nanoTime();
        Preflight.check(spec);
        byte[] seccomp = spec.seccomp().map(SeccompCompiler::compile).orElse(null);
        ContainerCgroup cgroup = Cgroups.create(spec.limits(), spec.allowMissingControllers());
        boolean launched = false;
        try {
            observer.cgroupCreated(Cgroups.driverName(), cgroup.describe(), cgroup.settings());
            LaunchPlan plan = LaunchPlanner.plan(spec, HOST, seccomp, placement(cgroup));
            Container container = spawn(spec, plan, cgroup, -1, observer, start);
            launched = true;
            return container;
        } finally {
            if (!launched) {
                cgroup.close();
            }
        }
    }

    /**
     * Starts a container that runs until closed: its first process is barco's init, and commands
     * run in it with {@link RunningContainer#exec} and {@link RunningContainer#start}. The spec's
     * command is not run; its stdio does not matter (init has none).
     */
    public static RunningContainer start(ContainerSpec spec) {
        return start(spec, LaunchObserver.NONE);
    }

    public static RunningContainer start(ContainerSpec spec, LaunchObserver observer) {
        long start = System.nanoTime();
        Preflight.check(spec);
        byte[] seccomp = spec.seccomp().map(SeccompCompiler::compile).orElse(null);
        ContainerCgroup cgroup = Cgroups.create(spec.limits(), spec.allowMissingControllers());
        boolean launched = false;
        try {
            observer.cgroupCreated(Cgroups.driverName(), cgroup.describe(), cgroup.settings());
            ContainerSpec initSpec = spec.toBuilder().stdio(Stdio.DISCARD).build();
            LaunchPlan plan = LaunchPlanner.planInit(initSpec, HOST, seccomp, placement(cgroup));
            Container init = spawn(initSpec, plan, cgroup, -1, observer, start);
            launched = true;
            return new RunningContainer(spec, init, cgroup, seccomp);
        } finally {
            if (!launched) {
                cgroup.close();
            }
        }
    }

    /**
     * Runs {@code spec} (the container's spec with this command's own command, environment, working
     * directory, stdio and timeout) in the running container whose first process is {@code init},
     * in the group {@code cgroup}. The caller keeps init's pidfd open meanwhile.
     */
    static Container exec(ContainerSpec spec, Container init, byte[] seccomp, ContainerCgroup cgroup) {
        long start = System.nanoTime();
        LaunchPlan plan = LaunchPlanner.planExec(spec, HOST, seccomp,
                cgroup.procsFiles().stream().map(Path::toString).toList(), HelperSpawner.JOIN_FD);
        return spawn(spec, plan, cgroup, init.pidfd(), LaunchObserver.NONE, start);
    }

    /**
     * A helper started ahead of an exec, already in the exec's groups, waiting for the rest of its
     * plan; its stdin is /dev/null, its stdout and stderr pipes (an exec's defaults). On cgroup v1
     * joining a group costs a wait for the kernel (an RCU grace period, milliseconds on a busy
     * host) that the exec then does not pay.
     */
    record Ahead(int helperPid, int planFd, int statusFd, int[] parentEnds, ContainerCgroup group, LaunchPlan firstSteps) {
    }

    /** Starts a helper for the next exec into the container of {@code init}, in {@code group}; the caller owns the group. */
    static Ahead prepareExec(Container init, ContainerCgroup group) {
        LaunchPlan first = LaunchPlanner.planExecAhead(group.procsFiles().stream().map(Path::toString).toList(),
                HelperSpawner.NEXT_PLAN_FD);
        List<Integer> toClose = new ArrayList<>();
        List<Integer> ours = new ArrayList<>();
        boolean started = false;
        try {
            int planFd = Descriptors.memfd("barco-plan", PlanEncoder.encode(first));
            toClose.add(planFd);
            int[] rest = Descriptors.pipe();
            toClose.add(rest[0]);
            ours.add(rest[1]);
            int[] out = Descriptors.pipe();
            toClose.add(out[1]);
            ours.add(out[0]);
            int[] err = Descriptors.pipe();
            toClose.add(err[1]);
            ours.add(err[0]);
            int[] status = Descriptors.pipe();
            toClose.add(status[1]);
            ours.add(status[0]);
            HelperSpawner.StdioSource[] stdio = {HelperSpawner.StdioSource.DEV_NULL, HelperSpawner.StdioSource.of(out[1]),
                    HelperSpawner.StdioSource.of(err[1])};
            int pid = HelperSpawner.spawn(NativeHelper.path(), planFd, status[1], stdio, new int[] {init.pidfd(), rest[0]});
            started = true;
            return new Ahead(pid, rest[1], status[0], new int[] {-1, out[0], err[0]}, group, first);
        } finally {
            toClose.forEach(Descriptors::closeQuietly);
            if (!started) {
                ours.forEach(Descriptors::closeQuietly);
            }
        }
    }

    /** Runs {@code spec} (see {@link #exec}) through a helper made ahead of time; on failure the caller still owns its group. */
    static Container exec(ContainerSpec spec, Ahead ahead, byte[] seccomp) {
        long start = System.nanoTime();
        LaunchPlan rest = LaunchPlanner.planExec(spec, HOST, seccomp, List.of(), HelperSpawner.JOIN_FD);
        List<io.barco.plan.Step> all = new ArrayList<>(ahead.firstSteps().steps());
        all.addAll(rest.steps());
        boolean launched = false;
        try {
            try {
                Descriptors.writeFully(ahead.planFd(), PlanEncoder.encode(rest));
            } catch (LastErrorException e) {
                // the helper is gone: await() reads what it reported
            } finally {
                Descriptors.closeQuietly(ahead.planFd());
            }
            Container container = await(spec, new LaunchPlan(all), ahead.group(), ahead.helperPid(), ahead.statusFd(),
                    ahead.parentEnds(), start);
            launched = true;
            return container;
        } finally {
            if (!launched) {
                for (int fd : ahead.parentEnds()) {
                    Descriptors.closeQuietly(fd);
                }
            }
        }
    }

    /** Ends a helper made ahead of time that no exec took: end of file on its plan makes it leave. */
    static void discard(Ahead ahead) {
        Descriptors.closeQuietly(ahead.planFd());
        Descriptors.closeQuietly(ahead.statusFd());
        for (int fd : ahead.parentEnds()) {
            Descriptors.closeQuietly(fd);
        }
        reap(ahead.helperPid());
        ahead.group().close();
    }

    /** Runs work on barco's daemon threads. */
    static void background(Runnable work) {
        WAITERS.execute(work);
    }

    /** Runs the plan through the helper and hands out the process; on failure the caller still owns {@code cgroup}. */
    private static Container spawn(ContainerSpec spec, LaunchPlan plan, ContainerCgroup cgroup, int joinFd,
            LaunchObserver observer, long start) {
        List<Integer> toClose = new ArrayList<>();
        int[] parentEnds = {-1, -1, -1};
        boolean launched = false;
        try {
            observer.planned(plan);
            int planFd = Descriptors.memfd("barco-plan", PlanEncoder.encode(plan));
            toClose.add(planFd);
            HelperSpawner.StdioSource[] stdio = new HelperSpawner.StdioSource[3];
            Stdio[] modes = {spec.stdin(), spec.stdout(), spec.stderr()};
            for (int i = 0; i < 3; i++) {
                switch (modes[i]) {
                    case INHERIT -> stdio[i] = HelperSpawner.StdioSource.INHERIT;
                    case DISCARD -> stdio[i] = HelperSpawner.StdioSource.DEV_NULL;
                    case PIPE -> {
                        int[] pipe = Descriptors.pipe();
                        int childEnd = i == 0 ? pipe[0] : pipe[1];
                        parentEnds[i] = i == 0 ? pipe[1] : pipe[0];
                        toClose.add(childEnd);
                        stdio[i] = HelperSpawner.StdioSource.of(childEnd);
                    }
                }
            }
            // the status pipe last: from here on, await() or the catch below closes its read end
            int[] status = Descriptors.pipe();
            toClose.add(status[1]);
            int helperPid;
            try {
                helperPid = HelperSpawner.spawn(NativeHelper.path(), planFd, status[1], stdio, joinFd);
            } catch (RuntimeException e) {
                Descriptors.closeQuietly(status[0]);
                throw e;
            }
            toClose.forEach(Descriptors::closeQuietly);
            toClose.clear();

            Container container = await(spec, plan, cgroup, helperPid, status[0], parentEnds, start);
            launched = true;
            observer.started(container);
            return container;
        } finally {
            toClose.forEach(Descriptors::closeQuietly);
            if (!launched) {
                for (int fd : parentEnds) {
                    Descriptors.closeQuietly(fd);
                }
            }
        }
    }

    private static CgroupPlacement placement(ContainerCgroup cgroup) {
        return new CgroupPlacement(cgroup.procsFiles().stream().map(Path::toString).toList(),
                cgroup.mounts().stream().map(m -> new CgroupPlacement.Filesystem(m.subdirectory(), m.fstype(), m.options())).toList());
    }

    /** Reads the helper's report, reaps it, and either hands out the container or cleans up and throws. */
    private static Container await(ContainerSpec spec, LaunchPlan plan, ContainerCgroup cgroup, int helperPid,
            int statusFd, int[] parentEnds, long start) {
        byte[] report;
        try {
            // EOF once the helper has exited and the container has exec'd (the descriptor is close-on-exec).
            report = Descriptors.readFully(statusFd);
        } finally {
            Descriptors.closeQuietly(statusFd);
        }
        int helperStatus = reap(helperPid);
        int containerPid = 0;
        StatusRecord error = null;
        for (int off = 0; off + StatusRecord.SIZE <= report.length; off += StatusRecord.SIZE) {
            StatusRecord record = StatusRecord.decode(report, off);
            if (record.kind() == StatusRecord.PID) {
                containerPid = record.value();
            } else if (record.kind() == StatusRecord.ERROR && error == null) {
                error = record;
            }
        }
        if (error == null && (containerPid == 0 || helperStatus != 0)) {
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw new BarcoException("barco's native helper failed without a report (" + ExitStatus.fromWaitStatus(helperStatus) + ")");
        }
        if (error != null) {
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw failure(spec, plan, error);
        }
        int pidfd;
        try {
            pidfd = (int) LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, (long) containerPid, 0L);
        } catch (LastErrorException e) {
            killAndReap(containerPid);
            throw new BarcoException("pidfd_open(" + containerPid + "): " + Errno.describe(e.getErrorCode()));
        }
        int pid = containerPid;
        boolean tookForeground = plan.indexOf(Op.FOREGROUND) >= 0;
        cgroup.started();
        CompletableFuture<Container.Ending> exit = CompletableFuture.supplyAsync(() -> {
            int waitStatus = reap(pid);
            Duration wallTime = Duration.ofNanos(System.nanoTime() - start);
            if (tookForeground) {
                Terminal.takeForegroundBack(); // before anyone waiting for the container runs on
            }
            // Read what it used before removing its groups; whatever it left running dies with them.
            ResourceUsage usage = cgroup.usage(wallTime);
            RuntimeException cleanup = null;
            try {
                cgroup.close();
            } catch (RuntimeException e) {
                cleanup = e;
            }
            return new Container.Ending(ExitStatus.fromWaitStatus(waitStatus), usage, cleanup);
        }, WAITERS);
        Container container = new Container(pid, pidfd,
                parentEnds[0] >= 0 ? new FdOutputStream(parentEnds[0]) : null,
                parentEnds[1] >= 0 ? new FdInputStream(parentEnds[1]) : null,
                parentEnds[2] >= 0 ? new FdInputStream(parentEnds[2]) : null, exit, start);
        // the handle owns these descriptors now: the caller's cleanup must not close them a second time
        java.util.Arrays.fill(parentEnds, -1);
        LIVE.add(container);
        exit.whenComplete((s, e) -> LIVE.remove(container));
        try {
            spec.timeout().ifPresent(container::killAfter);
        } catch (RuntimeException | Error e) {
            // the container runs: a failure now must not leave it, its pidfd or its groups behind
            container.close();
            throw e;
        }
        return container;
    }

    private static LaunchException failure(ContainerSpec spec, LaunchPlan plan, StatusRecord error) {
        if (error.step() < 0 || error.step() >= plan.steps().size()) {
            return new LaunchException("read the launch plan", error.errno());
        }
        String step = plan.step(error.step()).description();
        if (plan.step(error.step()).op() == Op.EXEC) {
            int errno = error.errno();
            if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
                return new CommandNotFoundException(spec.command(), step, errno);
            }
            if (errno == Errno.EACCES || errno == Errno.ENOEXEC || errno == Errno.EPERM) {
                return new CommandNotExecutableException(spec.command(), step, errno);
            }
        }
        Op op = plan.step(error.step()).op();
        if ((op == Op.MKDIR || op == Op.MKFILE) && (error.errno() == Errno.EROFS || error.errno() == Errno.EACCES)) {
            return new LaunchException(step, error.errno(), step + ": " + Errno.describe(error.errno())
                    + " (the rootfs is read-only: mount on an existing path, one under /tmp, or use a writable rootfs)");
        }
        return new LaunchException(step, error.errno());
    }

    /** waitpid for one of our own children, retried on EINTR; returns the raw wait status. */
    static int reap(int pid) {
        int[] status = new int[1];
        for (;;) {
            try {
                LibC.INSTANCE.waitpid(pid, status, 0);
                return status[0];
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new IllegalStateException("waitpid(" + pid + "): " + Errno.describe(e.getErrorCode()), e);
                }
            }
        }
    }

    private static void killAndReap(int pid) {
        try {
            LibC.INSTANCE.kill(pid, Container.SIGKILL);
        } catch (LastErrorException ignored) {
            // already gone; still to be reaped
        }
        reap(pid);
    }

    /** Launches, captures stdout and stderr within the default limits, waits (up to the spec's timeout) and cleans up. */
    public static ContainerResult run(ContainerSpec spec) throws InterruptedException {
        return run(spec, OutputLimits.DEFAULT);
    }

    /** As {@link #run(ContainerSpec)}, keeping output within {@code limits}. */
    public static ContainerResult run(ContainerSpec spec, OutputLimits limits) throws InterruptedException {
        try (Container container = launch(spec)) {
            return collect(container, limits);
        }
    }

    /** Drains the process's pipes within {@code limits} and waits for its end. */
    static ContainerResult collect(Container container, OutputLimits limits) throws InterruptedException {
        CompletableFuture<CapturedOutput> out = drain(container.stdout().orElse(null), limits, "stdout");
        CompletableFuture<CapturedOutput> err = drain(container.stderr().orElse(null), limits, "stderr");
        ExitStatus status = container.waitFor();
        return new ContainerResult(status, out.join(), err.join(), container.wallTime(), container.timedOut(),
                container.usage().orElseThrow());
    }

    private static CompletableFuture<CapturedOutput> drain(InputStream in, OutputLimits limits, String name) {
        if (in == null) {
            return CompletableFuture.completedFuture(CapturedOutput.EMPTY);
        }
        return CompletableFuture.supplyAsync(() -> OutputCapture.drain(in, limits, name), WAITERS);
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
