package io.barco.junit.report;

import io.barco.junit.config.BarcoKeys;
import io.barco.output.OutputLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where barco-junit writes its files, in the build's output directory so that a clean build removes
 * them: {@code ${user.dir}/target/barco} when {@code target} exists (Maven), else none; the
 * configuration parameter or system property {@code barco.outputDirectory} names another. Command
 * mode spills output that outgrows memory to its {@code output} directory (without one, output is
 * only counted); each run's usage goes to a file there ({@link UsageReport}).
 */
public final class OutputDirectory {
    private OutputDirectory() {}

    public static OutputLimits limits(ExtensionContext context) {
        Path dir = base(context);
        return dir == null ? OutputLimits.DEFAULT : OutputLimits.DEFAULT.withSpillDirectory(dir.resolve("output"));
    }

    /** barco-junit's directory, or null when the build has no output directory barco knows. */
    static Path base(ExtensionContext context) {
        // JUnit looks the parameter up among its own, then the system properties, then junit-platform.properties
        Path dir = context.getConfigurationParameter(BarcoKeys.OUTPUT_DIRECTORY)
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .orElseGet(OutputDirectory::buildDefault);
        return dir == null ? null : dir.toAbsolutePath();
    }

    private static Path buildDefault() {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        return Files.isDirectory(target) ? target.resolve("barco") : null;
    }
}
