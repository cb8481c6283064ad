package io.barco;

import io.barco.cgroup.Cgroups;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.launch.LaunchObserver;
import io.barco.launch.Launcher;
import io.barco.launch.NamedContainers;
import io.barco.launch.Preflight;
import io.barco.launch.RunningContainer;
import io.barco.output.OutputLimits;
import io.barco.seccomp.SeccompCompiler;
import io.barco.spec.ContainerSpec;
import io.barco.sys.Host;
import io.barco.sys.LinuxHost;
import java.nio.file.Path;
import java.util.List;

/**
 * barco over one {@link Host}: what it learns of the host (preflight's verdict, the cgroup layout,
 * compiled seccomp programs) is kept here, not in static fields, and every call to the kernel goes
 * through the host. {@link Barco} is the default runtime, over this machine; a unit test builds one
 * over a fake host.
 */
public final class BarcoRuntime {
    /** Made on first use; a failure (JNA that cannot load) is thrown again, as it was, by the next call. */
    private static BarcoRuntime defaults;

    private final Preflight preflight;
    private final Cgroups cgroups;
    private final Launcher launcher;

    /** A runtime over {@code host} whose cgroup v2 groups go below {@code cgroupParent}. */
    public BarcoRuntime(Host host, String cgroupParent) {
        this.preflight = new Preflight(host);
        this.cgroups = new Cgroups(host, cgroupParent);
        this.launcher = new Launcher(host, cgroups, preflight, new SeccompCompiler());
    }

    /** The runtime over this machine, the one {@link Barco} uses. */
    public static synchronized BarcoRuntime defaults() {
        if (defaults == null) {
            defaults = new BarcoRuntime(new LinuxHost(), Cgroups.parentGroup());
        }
        return defaults;
    }

    /** Starts a container and returns its handle; close the handle to kill and clean up. */
    public Container launch(ContainerSpec spec) {
        return launcher.launch(spec);
    }

    /** As {@link #launch(ContainerSpec)}, telling {@code observer} what the launch does, as the CLI's verbose mode shows. */
    public Container launch(ContainerSpec spec, LaunchObserver observer) {
        return launcher.launch(spec, observer);
    }

    /** As {@link #launch(ContainerSpec, LaunchObserver)}, with {@code inherited} as the container's inherited stdin, stdout and stderr. */
    public Container launch(ContainerSpec spec, LaunchObserver observer, int[] inherited) {
        return launcher.launch(spec, observer, inherited);
    }

    /** As {@link Barco#start(ContainerSpec)}. */
    public RunningContainer start(ContainerSpec spec) {
        return launcher.start(spec);
    }

    /** As {@link #start(ContainerSpec)}, telling {@code observer} what the launch does. */
    public RunningContainer start(ContainerSpec spec, LaunchObserver observer) {
        return launcher.start(spec, observer);
    }

    /**
     * Joins the running container another process started with {@code barco --name NAME}; see
     * {@link NamedContainers}. {@code specOf} turns its recorded command line into its spec.
     */
    public RunningContainer attach(String name, java.util.function.Function<List<String>, ContainerSpec> specOf) {
        return launcher.attach(name, specOf);
    }

    /** As {@link Barco#run(ContainerSpec)}. */
    public ContainerResult run(ContainerSpec spec) throws InterruptedException {
        return launcher.run(spec);
    }

    /** As {@link Barco#run(ContainerSpec, OutputLimits)}. */
    public ContainerResult run(ContainerSpec spec, OutputLimits limits) throws InterruptedException {
        return launcher.run(spec, limits);
    }

    /** Null when this host can run containers, else why not, in one line. */
    public String hostProblem() {
        return preflight.hostProblem();
    }

    /**
     * Removes the groups of containers whose launching JVM is gone and returns them; throws, after
     * doing all it could, if some could not be collected.
     */
    public List<Path> collectGarbage() {
        return cgroups.collectGarbage();
    }
}
