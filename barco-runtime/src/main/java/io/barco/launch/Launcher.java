package io.barco.launch;

import com.sun.jna.LastErrorException;
import io.barco.BarcoException;
import io.barco.Setting;
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
import io.barco.plan.Step;
import io.barco.seccomp.SeccompCompiler;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Durations;
import io.barco.spec.RootMode;
import io.barco.spec.Stdio;
import io.barco.sys.Errno;
import io.barco.sys.Host;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Launches containers: spec, then plan, then the native helper, then a {@link Container} handle.
 * Any number of launches may run at once from any threads. Every call to the kernel goes through
 * one {@link Host}; a unit test passes a fake one.
 */
public final class Launcher {
    private final Host host;
    private final Cgroups cgroups;
    private final Preflight preflight;
    private final SeccompCompiler seccomp;
    private final HostFacts facts;
    private final Supplier<Path> helper;
    private final ExecutorService waiters = Executors.newCachedThreadPool(daemon("barco-wait"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("barco-timeout"));
    private final Set<Container> live = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean hooked = new AtomicBoolean();
    /** Whether this launcher said what overlays lose on this kernel (Preflight#overlayCaveat): once is enough. */
    private final AtomicBoolean overlayCaveatTold = new AtomicBoolean();

    private final Duration setupDeadline;
    /** What every plan goes through before the helper gets it: the identity, except in FaultWalk's fault injection. */
    private final UnaryOperator<LaunchPlan> planEdit;

    /**
     * How long a container's setup (the helper's steps, up to the command's execve) may take: far
     * above what it takes (milliseconds; seconds on an emulated VM), but a bound, since an exec's setup
     * runs in a container whose processes can stop it.
     */
    public static final Duration DEFAULT_SETUP_DEADLINE = Duration.ofSeconds(60);
    /** A report is a few records of {@link StatusRecord#SIZE}; anything longer is not the helper's. */
    static final int MAX_REPORT_BYTES = StatusReport.MAX_RECORDS * StatusRecord.SIZE;

    /** Launches with barco's own native helper. */
    public Launcher(Host host, Cgroups cgroups, Preflight preflight, SeccompCompiler seccomp) {
        this(host, cgroups, preflight, seccomp, NativeHelper::path);
    }

    /** Launches with the helper {@code helper} finds: a test's fake host spawns none. */
    public Launcher(Host host, Cgroups cgroups, Preflight preflight, SeccompCompiler seccomp, Supplier<Path> helper) {
        this(host, cgroups, preflight, seccomp, helper, DEFAULT_SETUP_DEADLINE);
    }

    /** As above, with a container's setup bounded by {@code setupDeadline} instead of {@link #DEFAULT_SETUP_DEADLINE}. */
    public Launcher(
            Host host,
            Cgroups cgroups,
            Preflight preflight,
            SeccompCompiler seccomp,
            Supplier<Path> helper,
            Duration setupDeadline) {
        this(host, cgroups, preflight, seccomp, helper, setupDeadline, UnaryOperator.identity());
    }

    /**
     * As above, with every plan passed through {@code planEdit} before the helper runs it: a test makes
     * a real step fail at each point of a real plan and checks what the failure leaves behind.
     */
    Launcher(
            Host host,
            Cgroups cgroups,
            Preflight preflight,
            SeccompCompiler seccomp,
            Supplier<Path> helper,
            Duration setupDeadline,
            UnaryOperator<LaunchPlan> planEdit) {
        this.planEdit = planEdit;
        this.setupDeadline = setupDeadline;
        this.host = host;
        this.cgroups = cgroups;
        this.preflight = preflight;
        this.seccomp = seccomp;
        this.facts = HostFacts.of(host);
        this.helper = helper;
    }

    /**
     * Kills the containers this launcher started that still run and waits (briefly) for them, so that
     * their cgroups go with them; after a SIGKILL of the JVM, the next launch or `barco gc` collects them.
     */
    public void killAllAndWait() {
        List<Container> running = List.copyOf(live);
        running.forEach(Container::kill);
        for (Container container : running) {
            try {
                container.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the JVM is going away: best effort
            }
        }
        cgroups.removeParentIfUnused();
    }

    public Container launch(ContainerSpec spec) {
        return launch(spec, LaunchObserver.NONE);
    }

    public Container launch(ContainerSpec spec, LaunchObserver observer) {
        return launch(spec, observer, null);
    }

    /**
     * As {@link #launch(ContainerSpec, LaunchObserver)}, with {@code inherited[i]} as the container's
     * descriptor i where the spec says {@link Stdio#INHERIT} (null: this process's own): the launch
     * service's client's stdio. The caller keeps its descriptors; the container gets copies.
     */
    public Container launch(ContainerSpec spec, LaunchObserver observer, int[] inherited) {
        if (inherited != null && inherited.length != 3) {
            throw new IllegalArgumentException("three descriptors: stdin, stdout, stderr");
        }
        return withGroups(
                spec,
                observer,
                (program, cgroup, start, undo) -> spawn(
                        spec,
                        LaunchPlanner.plan(spec, facts, program, placement(cgroup)),
                        cgroup,
                        new int[0],
                        observer,
                        start,
                        undo,
                        inherited));
    }

    /**
     * Starts a container that runs until closed: its first process is barco's init, and commands
     * run in it with {@link RunningContainer#exec} and {@link RunningContainer#start}. The spec's
     * command is not run; its stdio does not matter (init has none).
     */
    public RunningContainer start(ContainerSpec spec) {
        return start(spec, LaunchObserver.NONE);
    }

    public RunningContainer start(ContainerSpec spec, LaunchObserver observer) {
        return withGroups(spec, observer, (program, cgroup, start, undo) -> {
            ContainerSpec initSpec = spec.toBuilder().stdio(Stdio.DISCARD).build();
            LaunchPlan plan = LaunchPlanner.planInit(initSpec, facts, program, placement(cgroup));
            Container init = spawn(initSpec, plan, cgroup, new int[0], observer, start, undo);
            return new RunningContainer(this, spec, init, cgroup, program, true);
        });
    }

    /** What a launch does with the container's groups made and its seccomp program compiled. */
    private interface Launch<T> {
        T run(byte[] program, ContainerCgroup cgroup, long start, Undo undo);
    }

    /** Checks the spec, compiles its filter, creates its groups, then runs {@code launch}; undoes all if it fails. */
    private <T> T withGroups(ContainerSpec spec, LaunchObserver observer, Launch<T> launch) {
        long start = host.nanoTime();
        preflight.check(spec);
        if (!overlayCaveatTold.get()) {
            preflight.overlayCaveat(spec, facts).ifPresent(line -> {
                if (overlayCaveatTold.compareAndSet(false, true)) {
                    System.err.println(line);
                }
            });
        }
        byte[] program = spec.seccomp().map(seccomp::compile).orElse(null);
        if (hooked.compareAndSet(false, true)) {
            // Containers die with the JVM that launched them when it exits in an orderly way.
            Runtime.getRuntime().addShutdownHook(new Thread(this::killAllAndWait, "barco-shutdown"));
        }
        Undo undo = new Undo();
        try {
            ContainerCgroup cgroup = cgroups.create(spec.limits(), spec.allowMissingControllers());
            undo.push(cgroup::close);
            observer.cgroupCreated(cgroups.driverName(), cgroup.describe(), cgroup.settings());
            return launch.run(program, cgroup, start, undo);
        } catch (RuntimeException | Error e) {
            undo.all(e);
            throw e;
        }
    }

    /** Joins the running container another process named {@code name} (see {@link NamedContainers}). */
    public RunningContainer attach(String name, java.util.function.Function<List<String>, ContainerSpec> specOf) {
        NamedContainers.Entry entry = NamedContainers.lookup(name);
        ContainerSpec spec = specOf.apply(entry.options());
        int pidfd;
        try {
            pidfd = host.pidfdOpen(entry.pid());
        } catch (LastErrorException e) {
            throw new BarcoException(
                    "no running container named " + name + " (pidfd_open: " + Errno.describe(e.getErrorCode()) + ")");
        }
        // checked after the open: the pidfd now names the process whose start time matched, or we stop here
        if (!NamedContainers.alive(entry)) {
            host.close(pidfd);
            throw new BarcoException("no running container named " + name + " (it ended)");
        }
        try {
            Container init = new Container(
                    host, timers, entry.pid(), pidfd, null, null, null, new CompletableFuture<>(), host.nanoTime());
            byte[] program = spec.seccomp().map(seccomp::compile).orElse(null);
            return new RunningContainer(this, spec, init, cgroups.existing(entry.cgroups()), program, false);
        } catch (RuntimeException e) {
            host.close(pidfd);
            throw e;
        }
    }

    /**
     * Runs {@code spec} (the container's spec with this command's own command, environment, working
     * directory, stdio and timeout) in the running container whose first process is {@code init},
     * in the group {@code group}, which the caller owns. The caller keeps init's pidfd open meanwhile.
     */
    Container exec(ContainerSpec spec, Container init, byte[] program, ContainerCgroup group) {
        long start = host.nanoTime();
        Undo undo = new Undo();
        try {
            LaunchPlan plan = LaunchPlanner.planExec(
                    spec,
                    facts,
                    program,
                    group.procsFiles().stream().map(Path::toString).toList(),
                    HelperSpawner.JOIN_FD);
            return spawn(spec, plan, group, new int[] {init.pidfd()}, LaunchObserver.NONE, start, undo);
        } catch (RuntimeException | Error e) {
            undo.all(e);
            throw e;
        }
    }

    /**
     * A helper started ahead of an exec, already in the exec's groups, waiting for the rest of its
     * plan; its stdin is /dev/null, its stdout and stderr pipes (an exec's defaults). On cgroup v1
     * joining a group costs a wait for the kernel (an RCU grace period, milliseconds on a busy
     * host) that the exec then does not pay.
     */
    record Ahead(
            int helperPid, int planFd, int statusFd, int[] parentEnds, ContainerCgroup group, LaunchPlan firstSteps) {}

    /** Starts a helper for the next exec into the container of {@code init}, in {@code group}; the caller owns the group. */
    Ahead prepareExec(Container init, ContainerCgroup group) {
        LaunchPlan first = LaunchPlanner.planExecAhead(
                group.procsFiles().stream().map(Path::toString).toList(), HelperSpawner.NEXT_PLAN_FD);
        Undo undo = new Undo();
        try {
            List<Undo.Step> helperEnds = new ArrayList<>();
            int planFd = host.memfd("barco-plan", PlanEncoder.encode(first));
            helperEnds.add(undo.push(() -> host.close(planFd)));
            int[] rest = host.pipe();
            helperEnds.add(undo.push(() -> host.close(rest[0])));
            undo.push(() -> host.close(rest[1]));
            int[] out = host.pipe();
            undo.push(() -> host.close(out[0]));
            helperEnds.add(undo.push(() -> host.close(out[1])));
            int[] err = host.pipe();
            undo.push(() -> host.close(err[0]));
            helperEnds.add(undo.push(() -> host.close(err[1])));
            int[] status = host.pipe();
            undo.push(() -> host.close(status[0]));
            helperEnds.add(undo.push(() -> host.close(status[1])));
            HelperSpawner.StdioSource[] stdio = {
                HelperSpawner.StdioSource.DEV_NULL,
                HelperSpawner.StdioSource.of(out[1]),
                HelperSpawner.StdioSource.of(err[1])
            };
            int pid = HelperSpawner.spawn(
                    host, helper.get(), planFd, status[1], stdio, new int[] {init.pidfd(), rest[0]});
            undo.now(helperEnds);
            undo.keep();
            return new Ahead(pid, rest[1], status[0], new int[] {-1, out[0], err[0]}, group, first);
        } catch (RuntimeException | Error e) {
            undo.all(e);
            throw e;
        }
    }

    /** Runs {@code spec} (see {@link #exec}) through a helper made ahead of time; on failure the caller still owns its group. */
    Container exec(ContainerSpec spec, Ahead ahead, byte[] program) {
        long start = host.nanoTime();
        Undo undo = new Undo();
        Undo.Step statusRead = undo.push(() -> host.close(ahead.statusFd()));
        for (int fd : ahead.parentEnds()) {
            if (fd >= 0) {
                undo.push(() -> host.close(fd));
            }
        }
        try {
            LaunchPlan rest =
                    planEdit.apply(LaunchPlanner.planExec(spec, facts, program, List.of(), HelperSpawner.JOIN_FD));
            List<Step> all = new ArrayList<>(ahead.firstSteps().steps());
            all.addAll(rest.steps());
            try (java.io.OutputStream planPipe = host.output(ahead.planFd())) {
                planPipe.write(PlanEncoder.encode(rest));
            } catch (java.io.IOException e) {
                // the helper is gone: await() reads what it reported
            }
            return await(
                    spec,
                    new LaunchPlan(all),
                    ahead.group(),
                    ahead.helperPid(),
                    ahead.statusFd(),
                    statusRead,
                    ahead.parentEnds(),
                    start,
                    undo);
        } catch (RuntimeException | Error e) {
            undo.all(e);
            throw e;
        }
    }

    /** Ends a helper made ahead of time that no exec took (end of file on its plan makes it leave), and removes its group. */
    void discard(Ahead ahead) {
        host.close(ahead.planFd());
        host.close(ahead.statusFd());
        for (int fd : ahead.parentEnds()) {
            if (fd >= 0) {
                host.close(fd);
            }
        }
        reap(ahead.helperPid());
        ahead.group().close();
    }

    /** Runs work on the launcher's daemon threads. */
    void background(Runnable work) {
        waiters.execute(work);
    }

    /** The launcher's host, for what a running container does beside launching (ports, names). */
    Host host() {
        return host;
    }

    /** Runs the plan through the helper and hands out the process; what it creates goes on {@code undo}. */
    private Container spawn(
            ContainerSpec spec,
            LaunchPlan plan,
            ContainerCgroup cgroup,
            int[] extraFds,
            LaunchObserver observer,
            long start,
            Undo undo) {
        return spawn(spec, plan, cgroup, extraFds, observer, start, undo, null);
    }

    private Container spawn(
            ContainerSpec spec,
            LaunchPlan plan,
            ContainerCgroup cgroup,
            int[] extraFds,
            LaunchObserver observer,
            long start,
            Undo undo,
            int[] inherited) {
        plan = planEdit.apply(plan);
        observer.planned(plan);
        // the helper's copies of these are all it needs: ours close once it has them
        List<Undo.Step> helperEnds = new ArrayList<>();
        int planFd = host.memfd("barco-plan", PlanEncoder.encode(plan));
        helperEnds.add(undo.push(() -> host.close(planFd)));
        HelperSpawner.StdioSource[] stdio = new HelperSpawner.StdioSource[3];
        int[] parentEnds = {-1, -1, -1};
        Stdio[] modes = {spec.stdin(), spec.stdout(), spec.stderr()};
        for (int i = 0; i < 3; i++) {
            switch (modes[i]) {
                case INHERIT ->
                    stdio[i] = inherited == null
                            ? HelperSpawner.StdioSource.INHERIT
                            : HelperSpawner.StdioSource.of(inherited[i]);
                case DISCARD -> stdio[i] = HelperSpawner.StdioSource.DEV_NULL;
                case PIPE -> {
                    int[] pipe = host.pipe();
                    int childEnd = i == 0 ? pipe[0] : pipe[1];
                    parentEnds[i] = i == 0 ? pipe[1] : pipe[0];
                    for (int fd : pipe) {
                        Undo.Step step = undo.push(() -> host.close(fd));
                        if (fd == childEnd) {
                            helperEnds.add(step);
                        }
                    }
                    stdio[i] = HelperSpawner.StdioSource.of(childEnd);
                }
            }
        }
        int[] status = host.pipe();
        Undo.Step statusRead = undo.push(() -> host.close(status[0]));
        helperEnds.add(undo.push(() -> host.close(status[1])));
        int helperPid = HelperSpawner.spawn(host, helper.get(), planFd, status[1], stdio, extraFds);
        undo.now(helperEnds);

        Container container = await(spec, plan, cgroup, helperPid, status[0], statusRead, parentEnds, start, undo);
        observer.started(container);
        return container;
    }

    private static CgroupPlacement placement(ContainerCgroup cgroup) {
        return new CgroupPlacement(
                cgroup.procsFiles().stream().map(Path::toString).toList(),
                cgroup.mounts().stream()
                        .map(m -> new CgroupPlacement.Filesystem(m.subdirectory(), m.fstype(), m.options()))
                        .toList());
    }

    /** Reads the helper's report, reaps it, and either hands out the container or throws for the caller to clean up. */
    private Container await(
            ContainerSpec spec,
            LaunchPlan plan,
            ContainerCgroup cgroup,
            int helperPid,
            int statusFd,
            Undo.Step closeStatus,
            int[] parentEnds,
            long start,
            Undo undo) {
        Host.BoundedRead read;
        try {
            // EOF once the helper has exited and the container has exec'd (the descriptor is close-on-exec).
            // An exec's child runs in a container, whose processes may stop it: never wait without a deadline.
            read = host.readUntil(statusFd, MAX_REPORT_BYTES, start + setupDeadline.toNanos());
        } finally {
            closeStatus.now();
        }
        StatusReport report = StatusReport.parse(read.data());
        // Only a pid proven to be our unreaped child is ever signalled: never one a record merely names.
        int containerPid = report.pid() > 0 && host.isOwnChild(report.pid()) ? report.pid() : 0;
        if (!read.complete()) {
            killQuietly(helperPid);
            int helperStatus = reap(helperPid);
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw new BarcoException(
                    read.data().length > MAX_REPORT_BYTES
                            ? "barco's native helper reported more than " + MAX_REPORT_BYTES + " bytes ("
                                    + ExitStatus.fromWaitStatus(helperStatus) + ")"
                            : "the container's setup did not finish within " + Durations.format(setupDeadline) + " ("
                                    + report.describe() + "; a process in the container may have stopped it): killed");
        }
        int helperStatus = reap(helperPid);
        StatusRecord error = report.error();
        if (report.problem() != null || (report.pid() > 0 && containerPid == 0)) {
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw new BarcoException("barco's native helper sent a report that is not its own ("
                    + (report.problem() != null ? report.problem() : "pid " + report.pid() + " is no child of this JVM")
                    + "): nothing was signalled");
        }
        if (error == null && (containerPid == 0 || helperStatus != 0)) {
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw new BarcoException(
                    "barco's native helper failed without a report (" + ExitStatus.fromWaitStatus(helperStatus) + ")");
        }
        if (error != null) {
            if (containerPid > 0) {
                killAndReap(containerPid);
            }
            throw failure(spec, plan, error);
        }
        int pidfd;
        try {
            pidfd = host.pidfdOpen(containerPid);
        } catch (LastErrorException e) {
            killAndReap(containerPid);
            throw new BarcoException("pidfd_open(" + containerPid + "): " + Errno.describe(e.getErrorCode()));
        }
        int pid = containerPid;
        boolean tookForeground = plan.indexOf(Op.FOREGROUND) >= 0;
        cgroup.started();
        CompletableFuture<Container.Ending> exit = CompletableFuture.supplyAsync(
                () -> {
                    int waitStatus = reap(pid);
                    Duration wallTime = Duration.ofNanos(host.nanoTime() - start);
                    if (tookForeground) {
                        host.takeForegroundBack(); // before anyone waiting for the container runs on
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
                },
                waiters);
        Container container = new Container(
                host,
                timers,
                pid,
                pidfd,
                parentEnds[0] >= 0 ? host.output(parentEnds[0]) : null,
                parentEnds[1] >= 0 ? host.input(parentEnds[1]) : null,
                parentEnds[2] >= 0 ? host.input(parentEnds[2]) : null,
                exit,
                start);
        // the handle owns our ends of the pipes now, and the exit owns the groups: the launch must not undo them
        undo.keep();
        live.add(container);
        exit.whenComplete((s, e) -> live.remove(container));
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
            // not a step of the plan: the helper's own setup, reading the plan, or a plan without EXEC
            String helper = "barco's native helper";
            return new LaunchException(
                    helper, error.errno(), error.failed(helper) + ": " + Errno.describe(error.errno()));
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
        if (op == Op.CHDIR && (error.errno() == Errno.ENOENT || error.errno() == Errno.ENOTDIR)) {
            return new LaunchException(
                    step,
                    error.errno(),
                    "working directory " + spec.workdir()
                            + (error.errno() == Errno.ENOENT
                                    ? " does not exist in the container: create it in the rootfs, or give another"
                                    : " is not a directory in the container: give a directory"),
                    Setting.WORKDIR);
        }
        if ((op == Op.MKDIR || op == Op.MKFILE) && (error.errno() == Errno.EROFS || error.errno() == Errno.EACCES)) {
            // a mount point the spec asked for: name the setting whose mount it is, for its front end's flag
            Setting setting = spec.mounts().stream()
                    .filter(m -> step.startsWith("create mount point " + m.target() + " ")
                            || step.equals("create mount point " + m.target()))
                    .map(m -> m.kind() == io.barco.spec.Mount.Kind.TMPFS ? Setting.TMPFS : Setting.BINDS)
                    .findFirst()
                    .orElse(null);
            return new LaunchException(
                    step,
                    error.errno(),
                    step + ": " + Errno.describe(error.errno())
                            + " (the rootfs is read-only: mount on an existing path, one under /tmp, or use a writable rootfs)",
                    setting);
        }
        if (spec.rootMode() == RootMode.OVERLAY
                && (op == Op.IDMAP_TREE
                        || (plan.step(error.step()) instanceof Step.Mount mount && "overlay".equals(mount.fstype())))) {
            // the planner refuses filesystems known to lack idmapped mounts; the kernel has the last word
            return new LaunchException(
                    step,
                    error.errno(),
                    error.failed(step) + ": " + Errno.describe(error.errno())
                            + " (the kernel refused " + spec.rootfs()
                            + " as an overlay's lower layer, which a writable root needs;"
                            + " its log (dmesg) says why: use a rootfs on ext4, xfs, btrfs or tmpfs, or a read-only root)");
        }
        return new LaunchException(step, error.errno(), error.failed(step) + ": " + Errno.describe(error.errno()));
    }

    /** waitpid for one of our own children; returns the raw wait status. */
    private int reap(int pid) {
        try {
            return host.waitpid(pid);
        } catch (LastErrorException e) {
            throw new IllegalStateException("waitpid(" + pid + "): " + Errno.describe(e.getErrorCode()), e);
        }
    }

    /** Kills and reaps one of our own children: the helper we spawned, or a container pid {@link Host#isOwnChild} proved ours. */
    private void killAndReap(int pid) {
        killQuietly(pid);
        reap(pid);
    }

    private void killQuietly(int pid) {
        try {
            host.kill(pid, Container.SIGKILL);
        } catch (LastErrorException ignored) {
            // already gone; still to be reaped
        }
    }

    /** Launches, captures stdout and stderr within the default limits, waits (up to the spec's timeout) and cleans up. */
    public ContainerResult run(ContainerSpec spec) throws InterruptedException {
        return run(spec, OutputLimits.DEFAULT);
    }

    /** As {@link #run(ContainerSpec)}, keeping output within {@code limits}. */
    public ContainerResult run(ContainerSpec spec, OutputLimits limits) throws InterruptedException {
        try (Container container = launch(spec)) {
            return collect(container, limits);
        }
    }

    /** Drains the process's pipes within {@code limits} and waits for its end. */
    ContainerResult collect(Container container, OutputLimits limits) throws InterruptedException {
        CompletableFuture<CapturedOutput> out = drain(container.stdout().orElse(null), limits, "stdout");
        CompletableFuture<CapturedOutput> err = drain(container.stderr().orElse(null), limits, "stderr");
        ExitStatus status = container.waitFor();
        return new ContainerResult(
                status,
                out.join(),
                err.join(),
                container.wallTime(),
                container.timedOut(),
                container.usage().orElseThrow());
    }

    private CompletableFuture<CapturedOutput> drain(InputStream in, OutputLimits limits, String name) {
        if (in == null) {
            return CompletableFuture.completedFuture(CapturedOutput.EMPTY);
        }
        return CompletableFuture.supplyAsync(() -> OutputCapture.drain(in, limits, name), waiters);
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
