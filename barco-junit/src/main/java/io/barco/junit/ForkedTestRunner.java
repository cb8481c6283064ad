package io.barco.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.TestAbortedException;

/**
 * The forked JVM's main. It gets ready first (the JUnit launcher created), then reads from stdin the
 * unique ids of what to run, so that it can be started before its test is known. It runs one test
 * and writes how it ended; or, with {@code --batch}, runs every test below the ids and writes how
 * each ended. Usage: {@code ForkedTestRunner [--batch] OUTCOME-FILE}, ids on stdin, one per line.
 */
public final class ForkedTestRunner {
    private ForkedTestRunner() {
    }

    public static void main(String[] args) throws IOException {
        boolean batch = args[0].equals("--batch");
        Path outcomeFile = Path.of(args[batch ? 1 : 0]);
        Launcher launcher = LauncherFactory.create();
        List<String> ids = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()
                .filter(id -> !id.isBlank()).toList();
        if (batch) {
            batch(launcher, ids, outcomeFile);
        } else if (ids.size() == 1) {
            single(launcher, ids.get(0), outcomeFile);
        } else {
            throw new IllegalArgumentException("expected one unique id on stdin, got " + ids.size());
        }
        System.exit(0);
    }

    private static void single(Launcher launcher, String uniqueId, Path outcomeFile) throws IOException {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectUniqueId(uniqueId))
                .configurationParameter(BarcoExtension.FORKED_PROPERTY, "true")
                .build();
        AtomicReference<ForkedTest.Result> result = new AtomicReference<>();
        AtomicReference<String> skipped = new AtomicReference<>();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult outcome) {
                if (test.getUniqueId().equals(uniqueId)) {
                    result.set(new ForkedTest.Result(outcome.getStatus().name(), outcome.getThrowable().orElse(null)));
                } else if (result.get() == null && outcome.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    // a container of the test (its class) failed, e.g. in @BeforeAll
                    result.set(new ForkedTest.Result(outcome.getStatus().name(), outcome.getThrowable().orElse(null)));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                skipped.set(reason);
            }
        });
        ForkedTest.Result outcome = result.get();
        if (outcome == null) {
            outcome = new ForkedTest.Result("ABORTED", new TestAbortedException(skipped.get() != null
                    ? "skipped in the barco container: " + skipped.get() : "test " + uniqueId + " was not found in the forked JVM"));
        }
        write(outcomeFile, serializableCopy(outcome));
    }

    /** Runs the tests below {@code ids}; writes a map from each test's (and failed container's) unique id to its result. */
    private static void batch(Launcher launcher, List<String> ids, Path outcomeFile) throws IOException {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(BarcoExtension.FORKED_PROPERTY, "true")
                .filters((PostDiscoveryFilter) ForkedTestRunner::notInOwnContainer);
        ids.forEach(id -> request.selectors(selectUniqueId(id)));
        Map<String, ForkedTest.Result> results = new ConcurrentHashMap<>();
        launcher.execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult outcome) {
                if (test.isTest() || outcome.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    results.put(test.getUniqueId(), new ForkedTest.Result(outcome.getStatus().name(), outcome.getThrowable().orElse(null)));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                results.put(test.getUniqueId(), new ForkedTest.Result("ABORTED",
                        new TestAbortedException("skipped in the barco container: " + reason)));
            }
        });
        HashMap<String, ForkedTest.Result> serializable = new HashMap<>();
        results.forEach((id, result) -> serializable.put(id, serializableCopy(result)));
        write(outcomeFile, serializable);
    }

    /** Tests with their own @InBarco run in their own containers, forked from the host: not in a batch. */
    private static FilterResult notInOwnContainer(TestDescriptor descriptor) {
        Optional<InBarcoSettings> own = descriptor.getSource()
                .filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .flatMap(source -> InBarcoSettings.of(source.getJavaClass(), Optional.of(source.getJavaMethod())));
        return own.isPresent() ? FilterResult.excluded("runs in its own barco container") : FilterResult.included("batched");
    }

    /** The result itself, or, when its exception holds something unserializable, a copy keeping its type, message and stack. */
    private static ForkedTest.Result serializableCopy(ForkedTest.Result result) {
        Throwable t = result.throwable();
        if (t == null) {
            return result;
        }
        try (ObjectOutputStream probe = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            probe.writeObject(t);
            return result;
        } catch (IOException e) {
            AssertionError copy = new AssertionError(t.getClass().getName() + ": " + t.getMessage());
            copy.setStackTrace(t.getStackTrace());
            return new ForkedTest.Result(result.status(), copy);
        }
    }

    private static void write(Path file, Serializable outcome) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(outcome);
        }
    }
}
