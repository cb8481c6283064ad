package io.barco.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.InBarco;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With JUnit's parallel mode (junit-platform.properties), containerized tests run at once without
 * interfering: with a JVM per test method, each invocation has a container of its own.
 */
@InBarco(memory = "256M", granularity = InBarco.Granularity.METHOD)
@Execution(ExecutionMode.CONCURRENT)
class ParallelSampleIT {

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c", "d"})
    void eachInvocationHasItsOwnPrivateTmp(String name) throws IOException, InterruptedException {
        Path mine = Path.of("/tmp", name);
        Files.writeString(mine, name);
        Thread.sleep(200);
        try (var files = Files.list(Path.of("/tmp"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.length() == 1))
                    .containsExactly(name);
        }
    }
}
