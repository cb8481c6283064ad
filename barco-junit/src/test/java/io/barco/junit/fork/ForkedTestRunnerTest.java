package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarcoDeclarations;
import io.barco.junit.settings.Declarations;
import org.junit.jupiter.api.Test;

class ForkedTestRunnerTest {

    @Test
    void aForkedJvmFindsTheApiPackagesDeclarationsByServiceLoader() throws Exception {
        Declarations declarations = Declarations.load(ForkedTestRunner.class.getClassLoader());
        assertThat(declarations).isInstanceOf(InBarcoDeclarations.class);
        assertThat(declarations.takesAContainer(Tests.class.getDeclaredMethod("command", BarcoContainer.class)))
                .isTrue();
        assertThat(declarations.takesAContainer(Tests.class.getDeclaredMethod("jvm")))
                .isFalse();
    }

    /**
     * A class whose @BeforeAll shares a container, with a @Nested class of JVM-mode tests: the class's
     * batch JVM runs the nested class's tests only. Its other tests run on the host, whose state
     * (the container, in a static field) a fork lacks: run there too, they ran twice, and failed
     * where nothing reported it.
     */
    @Test
    void aBatchOfAClassThatSharesAContainerRunsNoneOfItsHostTests() throws Exception {
        Class<?> fixture = io.barco.junit.fixtures.SharedContainerFixtures.class;
        String classId = "[engine:junit-jupiter]/[class:" + fixture.getName() + "]";
        org.junit.platform.launcher.TestPlan plan = org.junit.platform.launcher.core.LauncherFactory.create()
                .discover(ForkedTestRunner.request(
                        Declarations.load(ForkedTestRunner.class.getClassLoader()),
                        java.util.List.of(classId),
                        fixture.getName()));

        java.util.List<String> tests = new java.util.ArrayList<>();
        collectTests(plan, plan.getRoots(), tests);
        assertThat(tests).containsExactly("runsInAForkedJvm()");
    }

    private static void collectTests(
            org.junit.platform.launcher.TestPlan plan,
            Iterable<org.junit.platform.launcher.TestIdentifier> ids,
            java.util.List<String> into) {
        for (org.junit.platform.launcher.TestIdentifier id : ids) {
            if (id.isTest()) {
                into.add(id.getDisplayName());
            }
            collectTests(plan, plan.getChildren(id), into);
        }
    }

    @SuppressWarnings("unused")
    private static final class Tests {
        void command(BarcoContainer barco) {}

        void jvm() {}
    }
}
