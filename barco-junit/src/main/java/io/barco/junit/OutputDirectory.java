package io.barco.junit;

import io.barco.output.OutputLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where command mode spills output that outgrows memory: the build's output directory, so that a
 * clean build removes it. {@code ${user.dir}/target/barco-output} when {@code target} exists (Maven),
 * else nowhere (the output is only counted); the configuration parameter or system property
 * {@code barco.outputDirectory} names another.
 */
final class OutputDirectory {
    static final String PARAMETER = "barco.outputDirectory";

    private OutputDirectory() {
    }

    static OutputLimits limits(ExtensionContext context) {
        // JUnit looks the parameter up among its own, then the system properties, then junit-platform.properties
        Path dir = context.getConfigurationParameter(PARAMETER).filter(s -> !s.isBlank()).map(Path::of)
                .orElseGet(OutputDirectory::buildDefault);
        return dir == null ? OutputLimits.DEFAULT : OutputLimits.DEFAULT.withSpillDirectory(dir.toAbsolutePath());
    }

    private static Path buildDefault() {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        return Files.isDirectory(target) ? target.resolve("barco-output") : null;
    }
}
