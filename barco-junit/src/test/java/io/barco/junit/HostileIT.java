package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finished;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.junit.fixtures.ForgedRecords;
import io.barco.junit.fixtures.ForgingFixture;
import io.barco.junit.fixtures.HostileBatchFixture;
import io.barco.junit.fixtures.HostileFixtures;
import io.barco.junit.fixtures.RunForgeryFixture;
import io.barco.junit.fixtures.RunForgeryVictimFixture;
import io.barco.junit.fixtures.SuspendingFixture;
import io.barco.sys.LauncherIdentity;
import io.barco.sys.OwnedTempDirectories;
import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Tests that attack the host from inside their containers ({@link HostileFixtures}): each attack is
 * reported with a clear message, and leaves the host as it was: no code of the test ran on the host,
 * and nothing of what this JVM created is left (processes, cgroups, mounts, temp directories,
 * descriptors). Only what this JVM made is checked: other builds may run on the machine.
 */
class HostileIT {
    private List<String> descriptorsBefore;
    private long mountsBefore;

    private static Events run(String method) {
        return run(method, "");
    }

    private static Events run(String method, String parameterTypes) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(HostileFixtures.class, method, parameterTypes))
                .execute()
                .testEvents();
    }

    /** What the JVM opens once and keeps (a socket on its first test run, say) is no leak: let that happen first. */
    @BeforeAll
    static void warmUp() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(io.barco.junit.fixtures.OutcomeFixtures.class, "passes"))
                .execute()
                .testEvents()
                .assertStatistics(s -> s.succeeded(1));
    }

    @BeforeEach
    void remember() throws IOException {
        descriptorsBefore = descriptors();
        mountsBefore = mounts();
    }

    @AfterEach
    void theHostIsAsItWas() throws IOException {
        assertThat(HostileFixtures.Gadget.DESERIALIZED)
                .as("gadgets deserialized on the host")
                .hasValue(0);
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(tmp.filter(p -> p.getFileName().toString().startsWith(HostileFixtures.MARKER_PREFIX)
                            || OwnedTempDirectories.ours(p)))
                    .as("gadget markers and temp directories of this JVM")
                    .isEmpty();
        }
        assertThat(Leftovers.processesWith(HostileFixtures.DAEMON_TOKEN))
                .as("daemons left")
                .isEmpty();
        assertThat(Leftovers.processesWith(HostileFixtures.STUBBORN_TOKEN))
                .as("commands left")
                .isEmpty();
        assertThat(Leftovers.cgroupsStartingWith("barco-" + LauncherIdentity.self() + "-"))
                .as("cgroups of this JVM left")
                .isEmpty();
        assertThat(mounts()).as("mounts of the host JVM's namespace").isEqualTo(mountsBefore);
        List<String> added = new java.util.ArrayList<>(descriptors());
        descriptorsBefore.forEach(added::remove);
        assertThat(added).as("descriptors the host JVM opened and kept").isEmpty();
    }

    @Test
    void aForgedSerializedOutcomeIsUnreadableAndNoCodeOfItRuns() {
        run("forgesASerializedOutcome")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("forgesASerializedOutcome"),
                                finishedWithFailure(message(
                                        m -> m.contains("left an unreadable outcome: not a barco outcome file")))));
    }

    @Test
    void aFifoInPlaceOfTheOutcomeIsRefusedWithoutBlocking() {
        run("putsAFifoWhereItsOutcomeGoes")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("putsAFifoWhereItsOutcomeGoes"),
                                finishedWithFailure(message(m -> m.contains("left an unreadable outcome")
                                        && m.contains("is a FIFO, socket or device")))));
    }

    @Test
    void aLinkToTheShadowFileIsNotFollowed() {
        run("linksItsOutcomeToTheShadowFile")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("linksItsOutcomeToTheShadowFile"),
                                finishedWithFailure(
                                        message(m -> m.contains("is a symbolic link, which the host does not follow")
                                                && !m.contains("root:")))));
    }

    @Test
    void aTwoGigabyteOutcomeIsNotRead() {
        run("writesATwoGigabyteOutcome")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("writesATwoGigabyteOutcome"),
                                finishedWithFailure(message(m -> m.contains("left an unreadable outcome")))));
    }

    @Test
    void aForkBombIsHeldByItsPidsLimitAndDiesWithItsContainer() {
        // the JVM shares the 48 tasks with the bomb: whether it passes or fails, it ends, saying how
        run("startsAForkBomb")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("startsAForkBomb"),
                                finished(new Condition<>(
                                        result -> result.getThrowable()
                                                .map(t -> t.getMessage() != null
                                                        && !t.getMessage().isBlank())
                                                .orElse(true),
                                        "no failure, or one with a message"))));
    }

    @Test
    void aDoubleForkedDaemonDiesWithItsContainer() {
        run("leavesADoubleForkedDaemonBehind")
                .assertThatEvents()
                .haveExactly(1, event(test("leavesADoubleForkedDaemonBehind"), finishedSuccessfully()));
    }

    @Test
    void aCommandPrintingForeverIsKeptToItsHeadAndTail() {
        run("printsForever", BarcoContainer.class.getName())
                .assertThatEvents()
                .haveExactly(1, event(test("printsForever"), finishedSuccessfully()));
    }

    @Test
    void aCommandThatIgnoresSigtermIsKilledWhenItsTestEnds() {
        run("leavesACommandThatIgnoresSigterm", BarcoContainer.class.getName())
                .assertThatEvents()
                .haveExactly(1, event(test("leavesACommandThatIgnoresSigterm"), finishedSuccessfully()));
    }

    @Test
    void aTestThatKillsItsJvmHalfwayThroughABatchFailsAndTheRestAreNotRun() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(HostileBatchFixture.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, "class")
                .execute()
                .testEvents();
        events.assertThatEvents()
                .haveExactly(1, event(test("passesFirst"), finishedSuccessfully()))
                .haveExactly(
                        1,
                        event(
                                test("killsItsJvmHalfwayThroughTheBatch"),
                                finishedWithFailure(message("the forked test JVM exited with 3 while this test ran"))))
                .haveExactly(
                        1,
                        event(
                                test("isNeverReached"),
                                abortedWithReason(message(
                                        "not run: the forked test JVM exited with 3 before it reached this test"))));
    }

    @Test
    void aClassJvmWhoseRunnerIsSuspendedIsEndedAtItsTestsTimeoutAndTheTestSaysSo() {
        long start = System.nanoTime();
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SuspendingFixture.class))
                .execute()
                .testEvents();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("suspendsItsRunner"),
                                finishedWithFailure(message(
                                        "the forked test JVM was ended by the host (suspendsItsRunner() timed out after 5s and had not ended 5s later)"
                                                + " while this test ran"))))
                .haveExactly(
                        1,
                        event(
                                test("isNeverReached"),
                                abortedWithReason(message(
                                        m -> m.startsWith("not run: the forked test JVM was ended by the host")))));
        // the JVM's start, the test's 5s, the host's 5s of grace, and room for the slowest machine (33 s in
        // the v2 VM under load): far below what the host would wait without its deadline (barco.forkTimeout, 60 min)
        assertThat(took).isLessThan(Duration.ofMinutes(5));
    }

    @Test
    void aSuccessForgedForTheNextTestOfAClassIsNotBelieved() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ForgingFixture.class))
                .execute()
                .testEvents();
        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("failsAfterItsSuccessWasForged"),
                                finishedWithFailure(
                                        message(m -> m.startsWith("the forked test JVM's report was inconsistent: "
                                                + ForgedRecords.id(
                                                        ForgingFixture.class, "failsAfterItsSuccessWasForged")
                                                + " was reported started while "
                                                + ForgedRecords.id(ForgingFixture.class, "forgesASuccessForTheNextTest")
                                                + " ran")))))
                // the forger's own outcome came after: not believed either
                .haveExactly(
                        1,
                        event(
                                test("forgesASuccessForTheNextTest"),
                                finishedWithFailure(message(m -> m.contains("report was inconsistent")))));
    }

    /** One JVM for the run: a class forges a complete report in which another passed, and halts the JVM before the runner goes on. */
    @Test
    void aClassThatForgesTheRestOfARunHidesNoOtherClasssFailure() {
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(
                                        selectClass(RunForgeryFixture.class),
                                        selectClass(RunForgeryVictimFixture.class))
                                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                                .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, "run")
                                .build(),
                        new TestExecutionListener() {
                            @Override
                            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                                results.put(id.getUniqueId(), result);
                            }
                        });
        TestExecutionResult victimClass = results.get(ForgedRecords.id(RunForgeryVictimFixture.class, null));
        TestExecutionResult victimTest = results.get(ForgedRecords.id(RunForgeryVictimFixture.class, "failsForReal"));
        assertThat(victimTest == null ? victimClass : victimTest)
                .as("the victim's outcome, or its class's")
                .isNotNull()
                .satisfies(r -> assertThat(r.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED))
                .satisfies(r -> assertThat(r.getThrowable().orElseThrow())
                        .hasMessageContaining("report was inconsistent")
                        .hasMessageContaining(
                                ForgedRecords.id(RunForgeryVictimFixture.class, null) + " was reported started while"));
    }

    /**
     * Descriptors of the kinds a launch opens (pipes, pidfds, memfds, sockets, files under the temp
     * directory): the JVM also opens jars and such as classes load, which are not leaks.
     */
    private static List<String> descriptors() throws IOException {
        String tmp = System.getProperty("java.io.tmpdir");
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString();
                        } catch (IOException e) {
                            return ""; // closed meanwhile (the listing's own descriptor)
                        }
                    })
                    .filter(target -> target.startsWith("pipe:")
                            || target.startsWith("anon_inode:")
                            || target.startsWith("socket:")
                            || target.startsWith("/memfd:")
                            || target.startsWith(tmp))
                    .toList();
        }
    }

    private static long mounts() throws IOException {
        return ProcFiles.read(Path.of("/proc/self/mountinfo")).lines().count();
    }
}
