package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.architecture.PackageCycles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No package of barco-junit depends on itself through others: the extension over JVM mode, JVM mode
 * over the build's JVM replicated and the outcome format, all of them over the settings. The check is
 * barco-runtime's, shared through its test jar.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> graph = PackageCycles.dependencies(SOURCES, "io.barco.junit");
        assertThat(graph)
                .as("packages read from %s", SOURCES.toAbsolutePath())
                .containsKeys("io.barco.junit", "io.barco.junit.fork", "io.barco.junit.settings");
        assertThat(PackageCycles.cycles(graph))
                .as("package cycles in %s", graph)
                .isEmpty();
    }
}
