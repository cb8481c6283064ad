package io.barco;

import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.launch.RunningContainer;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;

/**
 * The entry point: {@code Barco.run(ContainerSpec.builder("/bin/true").build())}. The CLI and the
 * JUnit extension launch containers only through here: the {@linkplain BarcoRuntime#defaults()
 * default runtime}, over this machine.
 */
public final class Barco {
    private Barco() {}

    /** Starts a container and returns its handle; close the handle to kill and clean up. */
    public static Container launch(ContainerSpec spec) {
        return BarcoRuntime.defaults().launch(spec);
    }

    /**
     * Starts a container that runs until closed, for commands to run in with
     * {@link RunningContainer#exec} and {@link RunningContainer#start}: {@code try (RunningContainer c =
     * Barco.start(spec)) { c.start("python3", "-m", "http.server"); c.exec("curl", ...); }}. The
     * spec gives everything but the command, which is not run; its timeout, if any, bounds the
     * container's whole life (give each command its own with {@link io.barco.spec.ExecSpec}).
     */
    public static RunningContainer start(ContainerSpec spec) {
        return BarcoRuntime.defaults().start(spec);
    }

    /**
     * Runs a container to the end (or its timeout) and returns its exit status and captured output,
     * of which at most {@link OutputLimits#DEFAULT} (4 MiB per stream, head and tail) is kept.
     */
    public static ContainerResult run(ContainerSpec spec) throws InterruptedException {
        return BarcoRuntime.defaults().run(spec);
    }

    /**
     * Runs a container to the end, keeping its output within {@code limits}: e.g.
     * {@code OutputLimits.DEFAULT.withMemoryBytes(64 << 20).withSpillDirectory(Path.of("target/barco-output"))}.
     */
    public static ContainerResult run(ContainerSpec spec, OutputLimits limits) throws InterruptedException {
        return BarcoRuntime.defaults().run(spec, limits);
    }
}
