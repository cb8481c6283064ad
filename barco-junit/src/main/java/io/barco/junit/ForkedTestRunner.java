package io.barco.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The forked JVM's main: runs one test, selected by its unique id, and writes how it ended; or, with
 * {@code --batch}, runs every test below the unique ids listed in a file and writes how each ended.
 * Usage: {@code ForkedTestRunner UNIQUE-ID OUTCOME-FILE} or {@code ForkedTestRunner --batch IDS-FILE OUTCOME-FILE}.
 */
public final class ForkedTestRunner {
    private ForkedTestRunner() {
    }

    public static void main(String[] args) throws IOException {
        if (args[0].equals("--batch")) {
            batch(Files.readAllLines(Path.of(args[1])), Path.of(args[2]));
            System.exit(0);
        }
        String uniqueId = args[0];
        Path outcomeFile = Path.of(args[1]);
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectUniqueId(uniqueId))
                .configurationParameter(BarcoExtension.FORKED_PROPERTY, "true")
                .build();
        AtomicReference<ForkedTest.Result> result = new AtomicReference<>();
        AtomicReference<String> skipped = new AtomicReference<>();
        Launcher launcher = LauncherFactory.create();
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
            outcome = new ForkedTest.Result("ABORTED", new org.opentest4j.TestAbortedException(skipped.get() != null
                    ? "skipped in the barco container: " + skipped.get() : "test " + uniqueId + " was not found in the forked JVM"));
        }
        write(outcomeFile, outcome);
        System.exit(0);
    }

    /** Runs the tests below {@code ids}; writes a map from each test's (and failed container's) unique id to its result. */
    private static void batch(java.util.List<String> ids, Path outcomeFile) throws IOException {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(BarcoExtension.FORKED_PROPERTY, "true");
        ids.stream().filter(id -> !id.isBlank()).forEach(id -> request.selectors(selectUniqueId(id)));
        java.util.Map<String, ForkedTest.Result> results = new java.util.concurrent.ConcurrentHashMap<>();
        LauncherFactory.create().execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult outcome) {
                if (test.isTest() || outcome.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    results.put(test.getUniqueId(), new ForkedTest.Result(outcome.getStatus().name(), outcome.getThrowable().orElse(null)));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                results.put(test.getUniqueId(), new ForkedTest.Result("ABORTED",
                        new org.opentest4j.TestAbortedException("skipped in the barco container: " + reason)));
            }
        });
        java.util.HashMap<String, ForkedTest.Result> serializable = new java.util.HashMap<>();
        results.forEach((id, result) -> serializable.put(id, serializableCopy(result)));
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(outcomeFile))) {
            out.writeObject(serializable);
        }
    }

    private static ForkedTest.Result serializableCopy(ForkedTest.Result result) {
        Throwable t = result.throwable();
        if (t == null) {
            return result;
        }
        try (ObjectOutputStream probe = new ObjectOutputStream(java.io.OutputStream.nullOutputStream())) {
            probe.writeObject(t);
            return result;
        } catch (IOException e) {
            AssertionError copy = new AssertionError(t.getClass().getName() + ": " + t.getMessage());
            copy.setStackTrace(t.getStackTrace());
            return new ForkedTest.Result(result.status(), copy);
        }
    }

    private static void write(Path file, ForkedTest.Result outcome) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(outcome);
        } catch (NotSerializableException e) {
            // an exception holding something unserializable: keep its type, message and stack
            Throwable original = outcome.throwable();
            AssertionError copy = new AssertionError(original.getClass().getName() + ": " + original.getMessage());
            copy.setStackTrace(original.getStackTrace());
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
                out.writeObject(new ForkedTest.Result(outcome.status(), copy));
            }
        }
    }
}
