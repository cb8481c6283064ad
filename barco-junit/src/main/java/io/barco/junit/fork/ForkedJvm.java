package io.barco.junit.fork;

import io.barco.BarcoException;
import io.barco.cgroup.ResourceUsage;
import io.barco.image.Images;
import io.barco.junit.buildjvm.ArgumentFile;
import io.barco.junit.buildjvm.BuildJUnit;
import io.barco.junit.buildjvm.BuildJvm;
import io.barco.junit.buildjvm.ForkedClasspath;
import io.barco.junit.buildjvm.JavaAgents;
import io.barco.junit.buildjvm.WorkingDirectory;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.outcome.OutcomeTail;
import io.barco.junit.outcome.Outcomes;
import io.barco.junit.outcome.ThrowableData;
import io.barco.junit.report.OutputPump;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.Container;
import io.barco.launch.ExitStatus;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Durations;
import io.barco.spec.ImageRoot;
import io.barco.spec.Mount;
import io.barco.spec.Size;
import io.barco.spec.Stdio;
import io.barco.sys.UntrustedFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.opentest4j.AssertionFailedError;

/**
 * A test JVM started in its own container, ready and waiting on stdin for the unique ids of what to
 * run ({@link ForkedTestRunner}). It can be started before its test is known; it runs once, and its
 * container, cgroups and result directory are gone when {@link #run} returns or it is closed.
 */
final class ForkedJvm implements AutoCloseable {
    static final String RESULT_DIR = "/tmp/.barco-result";
    static final String OUTCOME_FILE = "outcome";
    /** The JVM's options, as a {@code java @file}. */
    static final String OPTIONS_FILE = "jvm-options";

    /** The run's forks: its runtime and caches, and the JVMs it has not closed yet (this one, while it lives). */
    private final Forks forks;

    private final ContainerSpec spec;
    /** The container's own timeout, for a JVM of one test: its whole run. */
    private final Optional<Duration> timeout;
    /** Each test's timeout in a JVM of many, which the host measures ({@link ForkDeadline}). */
    private final Optional<Duration> testTimeout;

    private final Duration forkTimeout;
    private final Path resultDir;
    private final Container container;
    /** Files agents wrote in the result directory, by name, and the host file each is appended to. */
    private final Map<String, Path> agentOutputs;

    private final Optional<String> maxHeap;

    private ForkedJvm(
            Forks forks,
            ContainerSpec spec,
            Optional<Duration> timeout,
            Optional<Duration> testTimeout,
            Duration forkTimeout,
            Path resultDir,
            Map<String, Path> agentOutputs,
            Optional<String> maxHeap,
            Container container) {
        this.agentOutputs = agentOutputs;
        this.maxHeap = maxHeap;
        this.forks = forks;
        forks.live.add(this);
        this.spec = spec;
        this.timeout = timeout;
        this.testTimeout = testTimeout;
        this.forkTimeout = forkTimeout;
        this.resultDir = resultDir;
        this.container = container;
    }

    /**
     * @param batch false for one test; true for a batch (then with the optimizing compiler too), whose
     *     name {@link #run} gives it: a
     *     class's binary name, whose tests it runs, or {@code *} for the whole run (see {@link ForkedTestRunner})
     * @param writeArchive whether to write the class data archive when there is none yet: worth it
     *     only when more forks of this classpath follow (it takes a JVM run of its own)
     */
    static ForkedJvm start(Forks forks, InBarcoSettings settings, boolean batch, boolean writeArchive)
            throws IOException {
        String hostJava =
                Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Optional<ImageRoot> image = settings.image();
        if (image.isPresent() && !Images.has(image.get(), hostJava)) {
            throw new BarcoException("JVM mode runs the test in the host's JDK, " + hostJava + ", which image "
                    + image.get().reference() + " does not have: take a BarcoContainer parameter to run commands "
                    + "in the image (command mode), or use an image with this JDK at that path");
        }
        Path resultDir = ResultDirectory.create();
        forks.starting.add(resultDir);
        try {
            if (forks.exiting) {
                throw new IOException("the run is over, or the test JVM is exiting: no forked JVM starts now");
            }
            BuildJvm build = BuildJvm.current();
            Path workingDirectory = build.workingDirectory();
            ForkedClasspath classpath = forks.classpaths.forFork(
                    BuildJUnit.classpath(System.getProperty("java.class.path")),
                    JavaAgents.jars(build.jvmOptions(), workingDirectory));
            JavaAgents agents =
                    JavaAgents.forFork(build.jvmOptions(), workingDirectory, classpath.alsoVisible(), RESULT_DIR);
            List<String> chosenOptions = new ArrayList<>(build.jvmOptions());
            chosenOptions.addAll(settings.jvmArgs());
            ClassDataArchive cds = ClassDataArchive.mappableWith(chosenOptions)
                    ? ClassDataArchive.forClasspath(forks.archiveChecks, classpath, writeArchive)
                    : ClassDataArchive.none();
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> args = new ArrayList<>(cds.jvmOptions());
            // the collector the build's JVM runs with (chosen for the host, it may differ in a smaller
            // container); for one test, the client compiler only, unless the build chose; the build's
            // options, after these, win
            if (!build.choosesGc() && !BuildJvm.choosesGc(settings.jvmArgs())) {
                BuildJvm.runningGc().ifPresent(args::add);
            }
            if (!batch && !build.choosesCompilation()) {
                args.add("-XX:TieredStopAtLevel=1");
            }
            args.add("-Xshare:auto");
            if (!batch) {
                args.add("-XX:-UsePerfData");
            }
            args.addAll(agents.options());
            args.addAll(settings.jvmArgs());
            build.systemProperties().forEach((name, value) -> args.add("-D" + name + "=" + value));
            Optional<Duration> testTimeout = settings.spec(java).build().timeout();
            if (batch && testTimeout.isPresent()) {
                // many tests in one JVM: each gets the timeout from JUnit, in a thread of its own
                args.add("-Djunit.jupiter.execution.timeout.default="
                        + testTimeout.get().toMillis() + " ms");
                args.add("-Djunit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD");
            }
            args.addAll(
                    List.of("-D" + BarcoKeys.FORKED + "=true", "-Djava.io.tmpdir=/tmp", "-cp", classpath.classpath()));
            // the options, system properties above all, go in a file only the fork's user can read, not on its command
            // line
            List<String> command =
                    new ArrayList<>(List.of("@" + RESULT_DIR + "/" + OPTIONS_FILE, ForkedTestRunner.class.getName()));
            if (batch) {
                command.add("--batch");
            }
            command.add(RESULT_DIR + "/" + OUTCOME_FILE);
            ContainerSpec.Builder builder = settings.spec(java)
                    .args(command)
                    .stdin(Stdio.PIPE)
                    .stdout(Stdio.PIPE)
                    .stderr(Stdio.PIPE)
                    .env(SecretEnvironment.forFork(build.environment(), settings.passEnv(), forks.secretsWithheldTold))
                    .mount(Mount.bind(resultDir, RESULT_DIR, false));
            classpath.mounts().forEach(builder::mount);
            WorkingDirectory.mounts(workingDirectory, classpath.mounts(), RESULT_DIR)
                    .forEach(builder::mount);
            if (Files.isDirectory(workingDirectory)) {
                builder.workdir(workingDirectory.toString());
            }
            cds.mounts().forEach(builder::mount);
            ResultDirectory.ownBy(resultDir, builder.build());
            ResultDirectory.writeOwned(resultDir.resolve(OPTIONS_FILE), ArgumentFile.of(args), builder.build());
            Optional<Duration> timeout =
                    batch ? Optional.empty() : builder.build().timeout();
            // the test's timeout runs from when it is handed its test, not from the JVM's start
            ContainerSpec spec = builder.timeout(null).build();
            ForkedJvm jvm = new ForkedJvm(
                    forks,
                    spec,
                    timeout,
                    batch ? testTimeout : Optional.empty(),
                    settings.forkTimeout(),
                    resultDir,
                    agents.outputs(),
                    build.maxHeap(),
                    forks.runtime.launch(spec));
            if (forks.exiting) {
                jvm.close();
                throw new IOException(
                        "the run is over, or the test JVM is exiting: the forked JVM it was starting is closed");
            }
            return jvm;
        } catch (IOException | RuntimeException e) {
            UntrustedFiles.deleteTree(resultDir);
            throw e;
        } finally {
            forks.starting.remove(resultDir); // live now, or deleted
        }
    }

    boolean isAlive() {
        return container.isAlive();
    }

    /** How often the host looks for the outcomes a batch's JVM added: the delay before a host test ends after its fork's. */
    private static final Duration POLL = Duration.ofMillis(10);

    ForkedTest.Batch run(List<String> uniqueIds) throws IOException, InterruptedException {
        return run(null, uniqueIds, null);
    }

    /**
     * Hands the JVM what to run ({@code batch}: the batch's name, for a JVM started as one), streams its output here, follows its outcomes as they come (each
     * time some come, {@code progress}, if any, gets all so far), waits for its end, and cleans up.
     */
    ForkedTest.Batch run(String batch, List<String> uniqueIds, Consumer<Outcomes> progress)
            throws IOException, InterruptedException {
        try (OutcomeTail tail = new OutcomeTail(resultDir.resolve(OUTCOME_FILE))) {
            long handedOver = System.nanoTime();
            timeout.ifPresent(container::killAfter);
            Thread out = OutputPump.start(container.stdout().orElseThrow(), System.out, "barco-forked-stdout");
            Thread err = OutputPump.start(container.stderr().orElseThrow(), System.err, "barco-forked-stderr");
            // a batch JVM, started before it was known which, learns it first (see ForkedTestRunner); written
            // aside, as a JVM that reads none of it would block the writer, and the host waits for nothing without a
            // deadline
            Thread in = writeAside(((batch != null ? batch + "\n" : "") + String.join("\n", uniqueIds) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            ForkDeadline deadline = new ForkDeadline(testTimeout, forkTimeout, handedOver);
            ExitStatus status = progress == null ? waitFor(deadline) : follow(tail, progress, deadline);
            tail.poll();
            tail.finish();
            // the container's processes are gone, so its pipes are closed: these end at once
            out.join(PUMP_END_MILLIS);
            err.join(PUMP_END_MILLIS);
            in.join(PUMP_END_MILLIS);
            appendAgentOutputs();
            Optional<ResourceUsage> usage = Optional.of(
                    container.usage().orElseThrow().withWallTime(Duration.ofNanos(System.nanoTime() - handedOver)));
            if (container.timedOut()) {
                return ForkedTest.Batch.failed(
                        new AssertionFailedError("test timed out after "
                                + timeout.map(Durations::format).orElse("?")
                                + " in its barco container, and was killed"),
                        usage);
            }
            if (usage.get().oomKilled()) {
                return ForkedTest.Batch.failed(
                        new AssertionFailedError(
                                "test JVM was OOM-killed in its barco container at the memory limit of "
                                        + spec.limits().memoryLimit().stream()
                                                .mapToObj(Size::format)
                                                .findFirst()
                                                .orElse("?")
                                        + " (peak "
                                        + usage.get().peakMemoryBytes().stream()
                                                .mapToObj(Size::human)
                                                .findFirst()
                                                .orElse("?")
                                        + ")"),
                        usage);
            }
            if (tail.failure() != null) {
                return ForkedTest.Batch.failed(
                        new AssertionFailedError("the forked test JVM " + status + " and left an unreadable outcome: "
                                + tail.failure().getMessage()),
                        usage);
            }
            Outcomes outcomes = tail.outcomes();
            String ending = endedBecause != null ? "was ended by the host (" + endedBecause + ")" : status.toString();
            return new ForkedTest.Batch(
                    outcomes, null, usage, ending, endedBecause != null ? ending : describe(outcomes.fatal()));
        } finally {
            close();
        }
    }

    /** How long the host waits for a pump or the stdin writer once the container is gone. */
    private static final long PUMP_END_MILLIS = 10_000;

    /** Why the host ended the JVM, if it did. */
    private String endedBecause;

    private Thread writeAside(byte[] bytes) {
        Thread thread = new Thread(
                () -> {
                    try (OutputStream in = container.stdin().orElseThrow()) {
                        in.write(bytes);
                    } catch (IOException e) {
                        // the JVM died before reading: its exit status tells why
                    }
                },
                "barco-forked-stdin");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for the JVM's end, reading nothing of it before: a JVM of one test, which its container's timeout bounds too. */
    private ExitStatus waitFor(ForkDeadline deadline) throws InterruptedException {
        Optional<ExitStatus> ended = container.waitFor(deadline.left(System.nanoTime()));
        if (ended.isPresent()) {
            return ended.get();
        }
        endedBecause = deadline.overdue(Optional.empty(), System.nanoTime()).orElse("it ran past its deadline");
        container.kill();
        return container.waitFor();
    }

    /**
     * Waits for the JVM's end, passing on its outcomes as they come. A JVM whose outcomes cannot be
     * read, or are no longer believed, is killed (what it writes from there on is not believed: no use
     * letting it run), and so is one past its {@link ForkDeadline}.
     */
    private ExitStatus follow(OutcomeTail tail, Consumer<Outcomes> progress, ForkDeadline deadline)
            throws InterruptedException {
        for (; ; ) {
            Optional<ExitStatus> ended = container.waitFor(POLL);
            if (tail.poll()) {
                progress.accept(tail.outcomes());
            }
            if (ended.isPresent()) {
                return ended.get();
            }
            if (tail.failure() != null || tail.outcomes().stopped() != null) {
                container.kill();
            } else if (endedBecause == null) {
                Optional<String> overdue = deadline.overdue(tail.outcomes().runningTest(), System.nanoTime());
                if (overdue.isPresent()) {
                    endedBecause = overdue.get();
                    container.kill();
                }
            }
        }
    }

    /**
     * What ended the runner, with what bounds the heap:
     * {@code OutOfMemoryError: Java heap space in the forked test JVM (-Xmx2g, container memory limit 4G)}.
     */
    private String describe(ThrowableData fatal) {
        if (fatal == null) {
            return null;
        }
        String type = fatal.className().substring(fatal.className().lastIndexOf('.') + 1);
        return type + (fatal.message() != null ? ": " + fatal.message() : "") + " in the forked test JVM ("
                + maxHeap.map(h -> "-Xmx" + h).orElse("heap sized by the JVM") + ", container memory limit "
                + spec.limits().memoryLimit().stream()
                        .mapToObj(Size::format)
                        .findFirst()
                        .orElse("none") + ")";
    }

    /**
     * Appends what each agent wrote (JaCoCo's execution data) to the host file the build named for it,
     * if it is that and agrees with the file ({@link CoverageFile}); what is refused is reported and
     * left out, not the test's failure: the fork loses its own coverage, and nobody else's.
     */
    private void appendAgentOutputs() {
        for (Map.Entry<String, Path> output : agentOutputs.entrySet()) {
            Path written = resultDir.resolve(output.getKey());
            if (!Files.exists(written, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                CoverageFile.append(forks.coverageFiles, written, output.getValue());
            } catch (IOException e) {
                System.err.println("[barco] the forked test JVM's coverage data was not added to " + output.getValue()
                        + ": " + e.getMessage() + "; what the other tests' JVMs added there is kept");
            }
        }
    }

    /** Kills the JVM if it still runs, and removes its container and result directory. */
    @Override
    public void close() throws IOException {
        forks.live.remove(this);
        try {
            container.close();
        } finally {
            UntrustedFiles.deleteTree(resultDir);
        }
    }
}
