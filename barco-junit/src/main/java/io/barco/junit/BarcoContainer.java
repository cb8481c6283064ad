package io.barco.junit;

import io.barco.Barco;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Command mode: declare a parameter of this type in an {@link InBarco} test and run commands in
 * containers configured by the annotation. Whatever a test started ends with the test.
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
        return exec(UnaryOperator.identity(), command, args);
    }

    /** Like {@link #exec(String, String...)}, with the spec adjusted for this one command. */
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
    public RunningCommand start(String command, String... args) {
        return start(UnaryOperator.identity(), command, args);
    }

    public synchronized RunningCommand start(UnaryOperator<ContainerSpec.Builder> customize, String command, String... args) {
        if (closed) {
            throw new IllegalStateException("the test that owned this BarcoContainer has ended");
        }
        ContainerSpec spec = spec(b -> customize.apply(b.stdin(Stdio.DISCARD).stdout(Stdio.PIPE).stderr(Stdio.PIPE)), command, args);
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

    /** Kills and cleans up every command this test started that still runs. */
    @Override
    public synchronized void close() {
        closed = true;
        RuntimeException failure = null;
        for (RunningCommand running : started) {
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
