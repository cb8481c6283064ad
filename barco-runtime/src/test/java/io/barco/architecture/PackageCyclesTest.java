package io.barco.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** No package of barco-runtime depends on itself through others: spec over seccomp, plan over spec, launch over plan. */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> graph = PackageCycles.dependencies(SOURCES, "io.barco");
        assertThat(graph)
                .as("packages read from %s", SOURCES.toAbsolutePath())
                .containsKeys("io.barco.spec", "io.barco.seccomp");
        assertThat(PackageCycles.cycles(graph)).as("package cycles").isEmpty();
    }

    @Test
    void seccompLiesBelowSpec() throws IOException {
        Map<String, Set<String>> graph = PackageCycles.dependencies(SOURCES, "io.barco");
        assertThat(graph.get("io.barco.spec")).contains("io.barco.seccomp");
        assertThat(graph.get("io.barco.seccomp")).doesNotContain("io.barco.spec");
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(PackageCycles.cycles(graph)).containsExactly(List.of("a", "b", "c"));
    }
}
