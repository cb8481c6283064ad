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
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * JVM mode: runs one test in a JVM forked inside a container and brings its outcome back. The forked
 * JVM gets the host's classpath (bound in where the container user could not reach it), runs the test
 * by its unique id through the JUnit Platform launcher, and writes the outcome to a directory bound
 * from the host. Its output streams to the host's as it comes.
 */
final class ForkedTest {
    static final String RESULT_DIR = "/tmp/.barco-result";
    static final String OUTCOME_FILE = "outcome.ser";
    static final String IDS_FILE = "tests.txt";

    /** How the forked test ended, as {@link ForkedTestRunner} writes it. */
    record Result(String status, Throwable throwable) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The outcome on the host: rethrow it to make the host's test end the same way. */
    record Outcome(Throwable failure, Optional<ResourceUsage> usage) {
        void rethrow() throws Throwable {
            if (failure != null) {
                throw failure;
            }
        }
    }

    private ForkedTest() {
    }

    /** Runs the test of {@code context} alone in a forked JVM. */
    static Outcome run(InBarcoSettings settings, ExtensionContext context) throws IOException, InterruptedException {
        return fork(settings, List.of(context.getUniqueId()), false, true, (failure, usage, outcomeFile) -> {
            if (failure != null) {
                return new Outcome(failure, usage);
            }
            return new Outcome(failureOf((Result) read(outcomeFile)), usage);
        });
    }

    /** How a batch ended: each test's result by unique id, or one failure for all (the JVM died). */
    record Batch(Map<String, Result> results, Throwable failure, Optional<ResourceUsage> usage) {
        Outcome outcomeOf(String uniqueId) {
            if (failure != null) {
                return new Outcome(failure, usage);
            }
            Result result = results.get(uniqueId);
            return result == null ? null : new Outcome(failureOf(result), usage);
        }
    }

    /**
     * Runs every test below the given unique ids (classes, say) in one forked JVM.
     *
     * @param moreToCome whether more batches follow this one (a batch per class), which then start
     *     from the class data archive this one writes when there is none yet
     */
    @SuppressWarnings("unchecked")
    static Batch runBatch(InBarcoSettings settings, List<String> uniqueIds, boolean moreToCome) throws IOException, InterruptedException {
        return fork(settings, uniqueIds, true, moreToCome, (failure, usage, outcomeFile) -> failure != null
                ? new Batch(Map.of(), failure, usage)
                : new Batch((Map<String, Result>) read(outcomeFile), null, usage));
    }

    private interface Interpretation<T> {
        T of(Throwable failure, Optional<ResourceUsage> usage, Path outcomeFile) throws IOException;
    }

    static Throwable failureOf(Result result) {
        return switch (result.status()) {
            case "SUCCESSFUL" -> null;
            case "ABORTED" -> result.throwable() != null ? result.throwable() : new TestAbortedException("aborted in barco container");
            default -> result.throwable() != null ? result.throwable() : new AssertionFailedError("failed in barco container");
        };
    }

    private static <T> T fork(InBarcoSettings settings, List<String> uniqueIds, boolean batch, boolean moreToCome,
            Interpretation<T> interpret)
            throws IOException, InterruptedException {
        Path resultDir = Files.createTempDirectory("barco-junit-");
        try {
            // the container's user is host uid 10000 and up: it must be able to write here
            Files.setPosixFilePermissions(resultDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            ForkedClasspath classpath = ForkedClasspath.forFork(System.getProperty("java.class.path"));
            boolean onlyJars = classpath.hostEntries().stream().allMatch(e -> Files.isRegularFile(e) && e.toString().endsWith(".jar"));
            ClassDataArchive cds = onlyJars ? ClassDataArchive.forClasspath(classpath.classpath(), classpath.hostEntries(), resultDir)
                    : ClassDataArchive.none();
            if (!moreToCome && cds.wouldDump()) {
                cds = ClassDataArchive.none(); // writing an archive that no fork would use
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> args = new ArrayList<>(cds.jvmOptions());
            // one test: start fast with the client compiler only; many: let the optimizing compiler in
            args.addAll(batch ? List.of("-XX:+UseSerialGC", "-Xshare:auto") : List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData"));
            args.addAll(List.of(
                    "-D" + BarcoExtension.FORKED_PROPERTY + "=true", "-Djava.io.tmpdir=/tmp",
                    "-cp", classpath.classpath(), ForkedTestRunner.class.getName()));
            if (!batch) {
                args.add(uniqueIds.get(0));
            } else {
                Files.write(resultDir.resolve(IDS_FILE), uniqueIds);
                args.addAll(List.of("--batch", RESULT_DIR + "/" + IDS_FILE));
            }
            args.add(RESULT_DIR + "/" + OUTCOME_FILE);
            ContainerSpec.Builder builder = settings.spec(java).args(args)
                    .stdin(Stdio.DISCARD).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                    .env("HOME", "/tmp")
                    .mount(Mount.bind(resultDir, RESULT_DIR, false));
            classpath.mounts().forEach(builder::mount);
            cds.mounts().forEach(builder::mount);
            ContainerSpec spec = builder.build();
            ExitStatus status;
            ResourceUsage usage;
            try (Container container = Barco.launch(spec)) {
                Thread out = copy(container.stdout().orElseThrow(), System.out);
                Thread err = copy(container.stderr().orElseThrow(), System.err);
                status = container.waitFor();
                out.join();
                err.join();
                usage = container.usage().orElseThrow();
                if (container.timedOut()) {
                    return interpret.of(new AssertionFailedError("test timed out after "
                            + spec.timeout().map(Object::toString).orElse("?") + " in its barco container, and was killed"),
                            Optional.of(usage), null);
                }
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
            try (Stream<Path> walk = Files.walk(resultDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Object read(Path file) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file)) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, Thread.currentThread().getContextClassLoader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot read the forked test's outcome: " + e.getMessage(), e);
        }
    }

    private static Thread copy(InputStream from, PrintStream to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = from.read(buffer)) > 0;) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the container is gone
            }
        }, "barco-forked-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
