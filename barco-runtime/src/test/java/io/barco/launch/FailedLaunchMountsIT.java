package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.testing.Processes;
import io.barco.testing.RequiresContainers;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launch that fails at any step, on a host whose {@code /} is shared (every systemd host), leaves
 * the launcher's mount table exactly as it was: {@link FaultWalk} fails a real plan before each of
 * its steps, in a JVM of its own whose mount namespace has an rshared {@code /} (this machine's is
 * private, so the test makes one, as {@code unshare --propagation unchanged} and {@code mount
 * --make-rshared /}).
 */
@RequiresContainers
class FailedLaunchMountsIT {
    private static final String CLEAN =
            "failure points, each failed at the fault, mount table unchanged, no process left";

    @Test
    void aLaunchFailingAtAnyStepLeavesTheMountTableAsItWas(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "unshare",
                "--mount",
                "--propagation",
                "unchanged",
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED"); // JNA, quietly, as the build's own test JVMs
        }
        command.add(FaultWalk.class.getName());
        Path err = dir.resolve("stderr");
        Processes.Finished walk = Processes.run(
                new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectError(err.toFile()), 600);
        assertThat(walk.stdout().lines())
                .as("the walk's report (exit %s); its stderr:%n%s", walk.status(), Files.readString(err))
                .hasSize(9)
                .anySatisfy(l -> assertThat(l).matches("read-only root: \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("writable root \\(overlay\\): \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("binds, tmpfs, bind overlay: \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("image root, tmpfs: \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("host network: \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("running container \\(init\\): \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("exec in a running container: \\d+ " + CLEAN))
                .anySatisfy(l -> assertThat(l).matches("exec, its whole plan at once: \\d+ " + CLEAN))
                .contains("the running container after the failed execs: takes execs");
        assertThat(walk.status()).isZero();
    }
}
