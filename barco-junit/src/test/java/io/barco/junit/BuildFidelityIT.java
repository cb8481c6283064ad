package io.barco.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.junit.fixtures.BuildFidelityFixtures;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The forked test JVM is the build's test JVM: its options, properties, environment, directory and resources. */
class BuildFidelityIT {

    @Test
    void aForkedTestSeesWhatTheBuildGaveItsTestJvm() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(BuildFidelityFixtures.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("seesTheBuildsPropertiesOptionsAndEnvironment"), finishedSuccessfully()))
                .haveExactly(
                        1, event(test("runsInTheModulesDirectoryWhereRelativePathsResolve"), finishedSuccessfully()))
                .haveExactly(1, event(test("readsAResourceDirectoryAsFiles"), finishedSuccessfully()))
                .haveExactly(1, event(test("writesItsTempDir"), finishedSuccessfully()))
                .haveExactly(1, event(test("writesInItsWorkingDirectoryAndTarget"), finishedSuccessfully()));
        // what the forks wrote vanished with them: the module's files are as they were
        java.nio.file.Path module = java.nio.file.Path.of(System.getProperty("user.dir"));
        org.assertj.core.api.Assertions.assertThat(module.resolve("barco-fidelity-scratch.txt"))
                .doesNotExist();
        org.assertj.core.api.Assertions.assertThat(module.resolve("target/barco-fidelity"))
                .doesNotExist();
        org.assertj.core.api.Assertions.assertThat(module.resolve("pom.xml"))
                .content()
                .doesNotContain("changed in a fork");
    }

    @Test
    void aHeapOutOfMemoryErrorIsReportedAsSuch() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(BuildFidelityFixtures.class, "runsOutOfHeap"))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("runsOutOfHeap"),
                                finishedWithFailure(
                                        message(
                                                "OutOfMemoryError: Java heap space in the forked test JVM (heap sized by the JVM, container memory limit 256M) while this test ran"))));
    }
}
