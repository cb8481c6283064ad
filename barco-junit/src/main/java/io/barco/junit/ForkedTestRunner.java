package io.barco.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The forked JVM's main. It gets ready first (the JUnit launcher created), then reads from stdin the
 * unique ids of what to run, so that it can be started before its test is known. It runs every test
 * below the ids and writes, as each ends, how it ended to the outcome file ({@link OutcomeFile}):
 * each test, and each container (a class, say) that failed or was skipped. Usage:
 * {@code ForkedTestRunner [--batch] OUTCOME-FILE}, ids on stdin, one per line; {@code --batch} leaves
 * out the tests that have an {@link InBarco} of their own (they run in their own containers).
 */
public final class ForkedTestRunner {
    private ForkedTestRunner() {
    }

    /** How long shutdown hooks (a coverage agent's dump, say) may take before the JVM is halted. */
    private static final long EXIT_GRACE_MILLIS = 60_000;

    /**
     * Whatever happens, the JVM ends when the runner does: an error that escaped the launcher (an
     * OutOfMemoryError, which JUnit rethrows) is written as the runner's fatal outcome, and a thread
     * the tests left running, or a shutdown hook that hangs, cannot keep the JVM (and its host) waiting.
     */
    public static void main(String[] args) throws IOException {
        boolean batch = args[0].equals("--batch");
        Path outcomeFile = Path.of(args[batch ? 1 : 0]);
        int status = 0;
        try (OutcomeFile.Writer outcomes = new OutcomeFile.Writer(Files.newOutputStream(outcomeFile))) {
            try {
                Launcher launcher = LauncherFactory.create();
                List<String> ids = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()
                        .filter(id -> !id.isBlank()).toList();
                run(launcher, ids, batch, outcomes);
                outcomes.end();
            } catch (Throwable t) {
                status = 1;
                outcomes.fatal(t);
            }
        } finally {
            exit(status);
        }
    }

    private static void exit(int status) {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(EXIT_GRACE_MILLIS);
            } catch (InterruptedException e) {
                // halted below all the same
            }
            Runtime.getRuntime().halt(status);
        }, "barco-exit-guard");
        halt.setDaemon(true);
        halt.start();
        System.exit(status);
    }

    private static void run(Launcher launcher, List<String> ids, boolean batch, OutcomeFile.Writer outcomes) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(BarcoExtension.FORKED_PROPERTY, "true");
        if (batch) {
            request.filters((PostDiscoveryFilter) ForkedTestRunner::notInOwnContainer);
        }
        ids.forEach(id -> request.selectors(selectUniqueId(id)));
        launcher.execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier test) {
                if (test.isTest()) {
                    try {
                        outcomes.started(test.getUniqueId());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("cannot write that " + test.getUniqueId() + " started", e);
                    }
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult outcome) {
                if (test.isTest() || outcome.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    write(test.getUniqueId(), OutcomeFile.Status.valueOf(outcome.getStatus().name()), outcome.getThrowable().orElse(null));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                write(test.getUniqueId(), OutcomeFile.Status.ABORTED,
                        new org.opentest4j.TestAbortedException("skipped in the barco container: " + reason));
            }

            private void write(String id, OutcomeFile.Status status, Throwable throwable) {
                try {
                    outcomes.test(id, status, throwable);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the outcome of " + id, e);
                }
            }
        });
    }

    /** Tests with their own @InBarco run in their own containers, forked from the host: not in a batch. */
    private static FilterResult notInOwnContainer(TestDescriptor descriptor) {
        Optional<InBarcoSettings> own = descriptor.getSource()
                .filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .flatMap(source -> InBarcoSettings.of(source.getJavaClass(), Optional.of(source.getJavaMethod())));
        return own.isPresent() ? FilterResult.excluded("runs in its own barco container") : FilterResult.included("batched");
    }
}
