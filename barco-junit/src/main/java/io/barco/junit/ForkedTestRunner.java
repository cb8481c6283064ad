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
 * The forked JVM's main: runs one test, selected by its unique id, and writes how it ended.
 * Usage: {@code ForkedTestRunner UNIQUE-ID OUTCOME-FILE}.
 */
public final class ForkedTestRunner {
    private ForkedTestRunner() {
    }

    public static void main(String[] args) throws IOException {
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
