package io.barco.junit;

import io.barco.Barco;
import io.barco.cgroup.ResourceUsage;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.launch.RunningContainer;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Stdio;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Command mode: declare a parameter of this type in an {@link InBarco} test and run commands in one
 * container configured by the annotation, started at the first command: they share its network
 * (a server one starts is reached by another on 127.0.0.1, and by the test through
 * {@link #hostPort}), its filesystem, processes and limits, each with its own usage. As a
 * parameter of a test method it is that test's and ends with it; as a parameter of a
 * {@code @BeforeAll} method it is the class's, serves all its tests, and ends after
 * {@code @AfterAll}.
 *
 * <pre>{@code
 * @Test @InBarco(memory = "64M")
 * void greets(BarcoContainer barco) throws Exception {
 *     assertThat(barco.exec("sh", "-c", "echo hi")).succeeded().stdoutIsEqualTo("hi\n");
 * }
 * }</pre>
 */
public final class BarcoContainer implements AutoCloseable {
    private final InBarcoSettings settings;
    private final OutputLimits outputLimits;
    private final Consumer<ContainerResult> onResult;
    private final List<RunningCommand> started = new ArrayList<>();
    private RunningContainer running;
    private boolean closed;

    BarcoContainer(InBarcoSettings settings, OutputLimits outputLimits, Consumer<ContainerResult> onResult) {
        this.settings = settings;
        this.outputLimits = outputLimits;
        this.onResult = onResult;
    }

    /** The spec a command gets: the annotation's settings, then {@code customize}. */
    public ContainerSpec spec(UnaryOperator<ContainerSpec.Builder> customize, String command, String... args) {
        return customize.apply(settings.spec(command).args(args)).build();
    }

    /**
     * Runs a command to its end and returns its result: exit code, output, resource usage. Output past
     * 4 MiB per stream is dropped between its head and tail, and spilled whole (up to 256 MiB) to a
     * file under the build's output directory, which the result names.
     */
    public ContainerResult exec(String command, String... args) throws InterruptedException {
        ContainerResult result = container().exec(command(command, args), outputLimits);
        onResult.accept(result);
        return result;
    }

    /**
     * Like {@link #exec(String, String...)}, with the spec adjusted for this one command, which so
     * runs in a new container of its own, not in this one.
     */
    public ContainerResult exec(UnaryOperator<ContainerSpec.Builder> customize, String command, String... args)
            throws InterruptedException {
        ContainerResult result = Barco.run(spec(customize, command, args), outputLimits);
        onResult.accept(result);
        return result;
    }

    /**
     * Starts a command in the background; await its output with
     * {@code await().untilAsserted(() -> assertThat(server).outputContains("ready"))}.
     */
    public synchronized RunningCommand start(String command, String... args) {
        Container process = container().start(command(command, args));
        RunningCommand running = new RunningCommand(
                command + (args.length == 0 ? "" : " " + String.join(" ", args)), process, outputLimits, onResult);
        started.add(running);
        return running;
    }

    /**
     * A port on the host's loopback forwarding to {@code port} inside this container, whose network
     * is its own: a test on the host talks to a server in it, as with Testcontainers' getMappedPort.
     */
    public int hostPort(int port) {
        return container().hostPort(port);
    }

    /**
     * Waits until something listens on TCP {@code port} in the container (any address), or fails
     * after {@code timeout} with what its commands wrote and whether they still run.
     */
    public void waitForPort(int port, java.time.Duration timeout) throws InterruptedException {
        RunningContainer c = container();
        waitFor(timeout, () -> c.listening(port), "nothing listens on port " + port + " in the container");
    }

    /**
     * Waits until {@code GET path} on {@code port} in the container answers {@code status}, asked
     * from the host through {@link #hostPort}; only the status line is read.
     */
    public void waitForHttp(int port, String path, int status, java.time.Duration timeout) throws InterruptedException {
        int hostPort = hostPort(port);
        int[] last = {-1};
        waitFor(
                timeout,
                () -> {
                    try {
                        java.net.HttpURLConnection http = (java.net.HttpURLConnection) new java.net.URL(
                                        "http", "127.0.0.1", hostPort, path.startsWith("/") ? path : "/" + path)
                                .openConnection();
                        http.setConnectTimeout(1000);
                        http.setReadTimeout(1000);
                        http.setInstanceFollowRedirects(false);
                        try {
                            last[0] = http.getResponseCode();
                        } finally {
                            http.disconnect();
                        }
                        return last[0] == status;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                },
                () -> "GET " + path + " on port " + port + " did not answer " + status
                        + (last[0] < 0 ? " (no answer)" : " (last answer: " + last[0] + ")"));
    }

    private void waitFor(java.time.Duration timeout, java.util.function.BooleanSupplier ready, String failure)
            throws InterruptedException {
        waitFor(timeout, ready, () -> failure);
    }

    private void waitFor(
            java.time.Duration timeout,
            java.util.function.BooleanSupplier ready,
            java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long pause = 5; !ready.getAsBoolean(); pause = Math.min(100, pause * 2)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get() + " after " + timeout.toMillis() + " ms; " + describeCommands());
            }
            Thread.sleep(pause);
        }
    }

    /** Each command started here: whether it runs, and the end of what it wrote. */
    synchronized String describeCommands() {
        if (started.isEmpty()) {
            return "no command was started in it";
        }
        StringBuilder out = new StringBuilder("its commands:");
        for (RunningCommand command : started) {
            out.append("\n  ").append(command.describe());
        }
        return out.toString();
    }

    /** Copies a host file into the container (somewhere writable in it, such as /tmp). */
    public void copyInto(java.nio.file.Path hostFile, String containerPath)
            throws java.io.IOException, InterruptedException {
        container().copyInto(hostFile, containerPath);
    }

    /**
     * Copies a file of the container to a new host file, as untrusted data: read by the container
     * itself, at most {@code maxBytes} or refused, never over an existing file or through a link.
     */
    public long copyOut(String containerPath, java.nio.file.Path hostFile, long maxBytes)
            throws java.io.IOException, InterruptedException {
        return container().copyOut(containerPath, hostFile, maxBytes);
    }

    /** A command of the test's: the annotation's timeout is each command's, not the container's. */
    private ExecSpec command(String command, String... args) {
        return ExecSpec.builder(command)
                .args(args)
                .timeout(settings.spec(command).build().timeout().orElse(null))
                .build();
    }

    /** The running container, started at the first command. */
    private synchronized RunningContainer container() {
        if (closed) {
            throw new IllegalStateException("the test or class that owned this BarcoContainer has ended");
        }
        if (running == null) {
            running = Barco.start(settings.spec("barco-init").timeout(null).build());
        }
        return running;
    }

    /** Like {@link #start(String, String...)}, in a new container of its own with the spec adjusted for this one command. */
    public synchronized RunningCommand start(
            UnaryOperator<ContainerSpec.Builder> customize, String command, String... args) {
        if (closed) {
            throw new IllegalStateException("the test that owned this BarcoContainer has ended");
        }
        ContainerSpec spec = spec(
                b -> customize.apply(b.stdin(Stdio.DISCARD).stdout(Stdio.PIPE).stderr(Stdio.PIPE)), command, args);
        Container container = Barco.launch(spec);
        RunningCommand running = new RunningCommand(String.join(" ", spec.argv()), container, outputLimits, onResult);
        started.add(running);
        return running;
    }

    /**
     * When the test method has returned: stops every command it started that still runs, and reports
     * what each used, while the test is still the one running.
     */
    synchronized void stopAll() throws InterruptedException {
        for (RunningCommand running : started) {
            running.stop();
        }
    }

    /** What the container used in all, every command included, once closed; empty if it never started. */
    synchronized Optional<ResourceUsage> usage() {
        return running == null ? Optional.empty() : running.usage();
    }

    /** Kills and cleans up every command this test started that still runs, and the container. */
    @Override
    public synchronized void close() {
        closed = true;
        RuntimeException failure = null;
        for (RunningCommand command : started) {
            try {
                command.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (running != null) {
            try {
                running.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
