package io.barco.junit;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.report.OutputPump;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.launch.ExitStatus;
import io.barco.output.OutputCapture;
import io.barco.output.OutputLimits;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A command running in a container, started by {@link BarcoContainer#start}. Its output is collected
 * as it comes, so a test can wait for a line:
 * {@code await().untilAsserted(() -> assertThat(server).outputContains("ready"))}. At most
 * {@link OutputLimits#memoryBytes()} of each stream is kept (its head and its tail), so a command that
 * prints without end cannot exhaust the test JVM's heap.
 */
public final class RunningCommand implements AutoCloseable {
    private final String command;
    private final Container container;
    private final Consumer<ContainerResult> onResult;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final Thread outReader;
    private final Thread errReader;
    private ContainerResult result;

    RunningCommand(String command, Container container, OutputLimits limits, Consumer<ContainerResult> onResult) {
        this.command = command;
        this.container = container;
        this.onResult = onResult;
        this.stdout = new OutputCapture(limits, "stdout");
        this.stderr = new OutputCapture(limits, "stderr");
        // whole bytes, decoded when read: a character may straddle two reads
        this.outReader = OutputPump.start(container.stdout().orElseThrow(), stdout, "barco-stdout-" + container.pid());
        this.errReader = OutputPump.start(container.stderr().orElseThrow(), stderr, "barco-stderr-" + container.pid());
    }

    /**
     * What the command wrote to stdout so far: all of it, or, past the output limit, its head, a
     * marker line naming the bytes dropped (and the spill file), and its tail.
     */
    public String output() {
        return stdout.text(); // synchronized with the pump's writes
    }

    /** What the command wrote to stderr so far, kept as {@link #output()}. */
    public String errorOutput() {
        return stderr.text();
    }

    /** The command line, for messages. */
    public String command() {
        return command;
    }

    public boolean isAlive() {
        return container.isAlive();
    }

    public int pid() {
        return container.pid();
    }

    /** Sends a signal to the command (PID 1 of its container). */
    public void signal(int signal) {
        container.signal(signal);
    }

    /**
     * Waits until the command's stdout or stderr has a match for {@code regex}, or fails after
     * {@code timeout} (or at once when the command has ended) with what it wrote and how it ended.
     */
    public void waitForLog(String regex, Duration timeout) throws InterruptedException {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long pause = 5; ; pause = Math.min(100, pause * 2)) {
            boolean ended = !container.isAlive();
            if (pattern.matcher(output()).find()
                    || pattern.matcher(errorOutput()).find()) {
                return;
            }
            if (ended || System.nanoTime() > deadline) {
                throw new AssertionError("no output of " + command + " matches /" + regex + "/ "
                        + (ended ? "and it has ended" : "after " + timeout.toMillis() + " ms") + "; " + describe());
            }
            Thread.sleep(pause);
        }
    }

    /** The command, whether it runs, and the last of its output, for failure messages. */
    String describe() {
        return command + " ("
                + (container.isAlive()
                        ? "running"
                        : "ended: " + container.onExit().getNow(null)) + ")" + tail("stdout", output())
                + tail("stderr", errorOutput());
    }

    private static String tail(String name, String text) {
        if (text.isEmpty()) {
            return "";
        }
        return "\n    " + name + ": "
                + (text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text).strip();
    }

    /** Waits for the command to end and returns its result with everything it wrote and used. */
    public synchronized ContainerResult waitFor() throws InterruptedException {
        if (result == null) {
            ExitStatus status = container.waitFor();
            outReader.join();
            errReader.join();
            stdout.close();
            stderr.close();
            result = new ContainerResult(
                    status,
                    stdout.snapshot(),
                    stderr.snapshot(),
                    container.wallTime(),
                    container.timedOut(),
                    container.usage().orElseThrow());
            onResult.accept(result); // once
        }
        return result;
    }

    /** The result, or empty if the command still runs after {@code timeout}. */
    public Optional<ContainerResult> waitFor(Duration timeout) throws InterruptedException {
        return container.waitFor(timeout).isPresent() ? Optional.of(waitFor()) : Optional.empty();
    }

    /** Kills the command and returns its result. */
    public ContainerResult stop() throws InterruptedException {
        container.kill();
        return waitFor();
    }

    /** What the command used, once it has ended. */
    public Optional<ResourceUsage> usage() {
        return container.usage();
    }

    /** The command's stdin, when it was started with one. */
    public Optional<OutputStream> stdin() {
        return container.stdin();
    }

    @Override
    public void close() {
        container.close();
    }
}
