package io.barco.junit;

import io.barco.Barco;
import io.barco.cgroup.ResourceUsage;
import io.barco.launch.Container;
import io.barco.launch.ExitStatus;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Mount;
import io.barco.spec.Size;
import io.barco.spec.Stdio;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;

/**
 * A test JVM started in its own container, ready and waiting on stdin for the unique ids of what to
 * run ({@link ForkedTestRunner}). It can be started before its test is known; it runs once, and its
 * container, cgroups and result directory are gone when {@link #run} returns or it is closed.
 */
final class ForkedJvm implements AutoCloseable {
    static final String RESULT_DIR = "/tmp/.barco-result";
    static final String OUTCOME_FILE = "outcome.ser";

    /** What a run's caller makes of its end: a failure for all, or the outcome file to read. */
    interface Interpretation<T> {
        T of(Throwable failure, Optional<ResourceUsage> usage, Path outcomeFile) throws IOException;
    }

    private final ContainerSpec spec;
    private final Optional<Duration> timeout;
    private final Path resultDir;
    private final ClassDataArchive cds;
    private final Container container;

    private ForkedJvm(ContainerSpec spec, Optional<Duration> timeout, Path resultDir, ClassDataArchive cds, Container container) {
        this.spec = spec;
        this.timeout = timeout;
        this.resultDir = resultDir;
        this.cds = cds;
        this.container = container;
    }

    /**
     * @param batch whether it will run many tests (then with the optimizing compiler too) or one
     * @param writeArchive whether to write the class data archive when there is none yet: worth it
     *     only when more forks of this classpath follow
     */
    static ForkedJvm start(InBarcoSettings settings, boolean batch, boolean writeArchive) throws IOException {
        Path resultDir = Files.createTempDirectory("barco-junit-");
        try {
            // the container's user is host uid 10000 and up: it must be able to write here
            Files.setPosixFilePermissions(resultDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            ForkedClasspath classpath = ForkedClasspath.forFork(System.getProperty("java.class.path"));
            boolean onlyJars = classpath.hostEntries().stream().allMatch(e -> Files.isRegularFile(e) && e.toString().endsWith(".jar"));
            ClassDataArchive cds = onlyJars ? ClassDataArchive.forClasspath(classpath.classpath(), classpath.hostEntries(), resultDir)
                    : ClassDataArchive.none();
            if (!writeArchive && cds.wouldDump()) {
                cds = ClassDataArchive.none();
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> args = new ArrayList<>(cds.jvmOptions());
            // one test: start fast with the client compiler only; many: let the optimizing compiler in
            args.addAll(batch ? List.of("-XX:+UseSerialGC", "-Xshare:auto")
                    : List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData"));
            args.addAll(List.of("-D" + BarcoExtension.FORKED_PROPERTY + "=true", "-Djava.io.tmpdir=/tmp",
                    "-cp", classpath.classpath(), ForkedTestRunner.class.getName()));
            if (batch) {
                args.add("--batch");
            }
            args.add(RESULT_DIR + "/" + OUTCOME_FILE);
            ContainerSpec.Builder builder = settings.spec(java).args(args)
                    .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                    .env("HOME", "/tmp")
                    .mount(Mount.bind(resultDir, RESULT_DIR, false));
            classpath.mounts().forEach(builder::mount);
            cds.mounts().forEach(builder::mount);
            Optional<Duration> timeout = builder.build().timeout();
            // the test's timeout runs from when it is handed its test, not from the JVM's start
            ContainerSpec spec = builder.timeout(null).build();
            return new ForkedJvm(spec, timeout, resultDir, cds, Barco.launch(spec));
        } catch (IOException | RuntimeException e) {
            deleteRecursively(resultDir);
            throw e;
        }
    }

    boolean isAlive() {
        return container.isAlive();
    }

    /** Hands the JVM what to run, streams its output here, waits for its end, and cleans up. */
    <T> T run(List<String> uniqueIds, Interpretation<T> interpret) throws IOException, InterruptedException {
        try {
            long handedOver = System.nanoTime();
            timeout.ifPresent(container::killAfter);
            Thread out = OutputPump.start(container.stdout().orElseThrow(), System.out, "barco-forked-stdout");
            Thread err = OutputPump.start(container.stderr().orElseThrow(), System.err, "barco-forked-stderr");
            try (OutputStream in = container.stdin().orElseThrow()) {
                in.write((String.join("\n", uniqueIds) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the JVM died before reading: its exit status tells why
            }
            ExitStatus status = container.waitFor();
            out.join();
            err.join();
            ResourceUsage usage = container.usage().orElseThrow().withWallTime(Duration.ofNanos(System.nanoTime() - handedOver));
            if (container.timedOut()) {
                return interpret.of(new AssertionFailedError("test timed out after "
                        + timeout.map(Object::toString).orElse("?") + " in its barco container, and was killed"),
                        Optional.of(usage), null);
            }
            if (usage.oomKilled()) {
                return interpret.of(new AssertionFailedError("test JVM was OOM-killed in its barco container at the memory limit of "
                        + spec.limits().memoryLimit().stream().mapToObj(Size::format).findFirst().orElse("?")
                        + " (peak " + usage.peakMemoryBytes().stream().mapToObj(Size::human).findFirst().orElse("?") + ")"),
                        Optional.of(usage), null);
            }
            cds.keepIfDumped();
            Path outcomeFile = resultDir.resolve(OUTCOME_FILE);
            if (!Files.exists(outcomeFile)) {
                return interpret.of(new AssertionFailedError("the forked test JVM " + status + " without reporting an outcome"),
                        Optional.of(usage), null);
            }
            return interpret.of(null, Optional.of(usage), outcomeFile);
        } finally {
            close();
        }
    }

    /** Kills the JVM if it still runs, and removes its container and result directory. */
    @Override
    public void close() throws IOException {
        try {
            container.close();
        } finally {
            deleteRecursively(resultDir);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
