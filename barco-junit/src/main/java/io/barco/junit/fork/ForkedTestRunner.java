package io.barco.junit.fork;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import io.barco.junit.config.BarcoKeys;
import io.barco.junit.outcome.JvmUsage;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.settings.Declarations;
import io.barco.junit.settings.InBarcoSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * The forked JVM's main. It gets ready first (the JUnit launcher created), then reads from stdin the
 * unique ids of what to run, so that it can be started before its test is known. It runs every test
 * below the ids, one at a time, and writes, as each ends, how it ended to the outcome file
 * ({@link OutcomeFile}): each test and container, as it starts and ends. Usage: {@code ForkedTestRunner [--batch]
 * OUTCOME-FILE}, ids on stdin, one per line; with {@code --batch}, the batch's name comes first. A
 * batch runs only the tests whose settings are its own: batch {@code CLASS} those with the
 * {@code @InBarco} settings of that class (not a method or nested class with settings of its own),
 * batch {@code *} (a whole run) those with none; the others run in their own containers.
 */
public final class ForkedTestRunner {
    private ForkedTestRunner() {}

    static final String PARALLEL_PARAMETER = "junit.jupiter.execution.parallel.enabled";

    /** How long shutdown hooks (a coverage agent's dump, say) may take before the JVM is halted. */
    private static final long EXIT_GRACE_MILLIS = 60_000;

    /**
     * Whatever happens, the JVM ends when the runner does: an error that escaped the launcher (an
     * OutOfMemoryError, which JUnit rethrows) is written as the runner's fatal outcome, and a thread
     * the tests left running, or a shutdown hook that hangs, cannot keep the JVM (and its host) waiting.
     */
    public static void main(String[] args) throws IOException {
        boolean batchJvm = args[0].equals("--batch");
        Path outcomeFile = Path.of(args[batchJvm ? 1 : 0]);
        int status = 0;
        try (OutcomeFile.Writer outcomes = new OutcomeFile.Writer(Files.newOutputStream(
                outcomeFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))) {
            try {
                Launcher launcher = LauncherFactory.create();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                // a batch JVM is started ahead, before it is known which batch it runs: that comes first
                String batch = batchJvm ? in.readLine() : null;
                List<String> ids = in.lines().filter(id -> !id.isBlank()).toList();
                // what tests declare is the API package's to read: found by name, as nothing hands this main anything
                run(launcher, Declarations.load(ForkedTestRunner.class.getClassLoader()), ids, batch, outcomes);
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
        Thread halt = new Thread(
                () -> {
                    try {
                        Thread.sleep(EXIT_GRACE_MILLIS);
                    } catch (InterruptedException e) {
                        // halted below all the same
                    }
                    Runtime.getRuntime().halt(status);
                },
                "barco-exit-guard");
        halt.setDaemon(true);
        halt.start();
        System.exit(status);
    }

    private static void run(
            Launcher launcher, Declarations declarations, List<String> ids, String batch, OutcomeFile.Writer outcomes)
            throws ClassNotFoundException {
        launcher.execute(request(declarations, ids, batch), new TestExecutionListener() {
            private final Map<String, long[]> starts = new ConcurrentHashMap<>();
            private final JvmUsage usage = JvmUsage.ofThisJvm();

            @Override
            public void executionStarted(TestIdentifier test) {
                starts.put(test.getUniqueId(), test.isTest() ? usage.startOfTest() : usage.now());
                try {
                    // containers too: the host checks that each record comes where it belongs
                    outcomes.started(test.getUniqueId(), test.isTest());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write that " + test.getUniqueId() + " started", e);
                }
            }

            /** Every test and container: the host waits for a class's record before its @AfterAll. */
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult outcome) {
                long[] start = starts.remove(test.getUniqueId());
                write(
                        test.getUniqueId(),
                        OutcomeFile.Status.valueOf(outcome.getStatus().name()),
                        outcome.getThrowable().orElse(null),
                        start != null ? usage.since(start) : OutcomeFile.Spent.UNKNOWN);
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                write(
                        test.getUniqueId(),
                        OutcomeFile.Status.ABORTED,
                        new org.opentest4j.TestAbortedException("skipped in the barco container: " + reason),
                        OutcomeFile.Spent.UNKNOWN);
            }

            private void write(String id, OutcomeFile.Status status, Throwable throwable, OutcomeFile.Spent spent) {
                try {
                    outcomes.test(id, status, throwable, spent);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the outcome of " + id, e);
                }
            }
        });
    }

    /** Tests with settings other than the batch's run in their own containers, forked from the host: not here. */
    /**
     * What the fork runs: the tests {@code ids} (a batch JVM's, of {@code batch}, a class's binary
     * name or {@code *} for the run: only its tests of the batch's settings that do not run on the
     * host), one test at a time, whatever junit-platform.properties says: the host checks the report
     * as one well-nested sequence (Outcomes), and a class, or a test, has its JVM to itself already.
     */
    static LauncherDiscoveryRequest request(Declarations declarations, List<String> ids, String batch)
            throws ClassNotFoundException {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(BarcoKeys.FORKED, "true")
                .configurationParameter(PARALLEL_PARAMETER, "false");
        if (batch != null) {
            Optional<InBarcoSettings> own = batch.equals("*")
                    ? Optional.empty()
                    : declarations.settings(
                            Class.forName(batch, false, ForkedTestRunner.class.getClassLoader()), Optional.empty());
            request.filters((PostDiscoveryFilter) descriptor -> sameSettings(declarations, descriptor, own));
            BatchSelection selection = BatchSelection.of(ids);
            request.selectors(selection.selectors()).filters(selection.filter());
        } else {
            ids.forEach(id -> request.selectors(selectUniqueId(id)));
        }
        return request.build();
    }

    static FilterResult sameSettings(
            Declarations declarations, TestDescriptor descriptor, Optional<InBarcoSettings> batch) {
        Optional<MethodSource> method =
                descriptor.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast);
        if (method.isEmpty()) {
            return FilterResult.included("not a method");
        }
        if (method.get().getJavaMethod().isAnnotationPresent(org.junit.jupiter.api.TestFactory.class)) {
            return FilterResult.excluded("dynamic tests run on the host"); // the host runs the factory itself
        }
        if (declarations.runsOnHost(method.get().getJavaMethod())) {
            // a BarcoContainer's, or one of a class that shares a container: its state is the host's
            return FilterResult.excluded("command mode runs on the host");
        }
        Optional<InBarcoSettings> own = declarations.settings(
                method.get().getJavaClass(), Optional.of(method.get().getJavaMethod()));
        return own.equals(batch)
                ? FilterResult.included("batched")
                : FilterResult.excluded("runs in its own barco container");
    }
}
