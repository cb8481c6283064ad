package io.barco.testing;

import io.barco.Barco;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;

/** Runs shell scripts in containers for tests. */
public final class Sh {
    private Sh() {}

    /** A spec for {@code /bin/sh -c script} with barco's defaults. */
    public static ContainerSpec.Builder spec(String script) {
        return ContainerSpec.builder("/bin/sh").args("-c", script);
    }

    public static ContainerResult run(String script) throws InterruptedException {
        return Barco.run(spec(script).build());
    }

    public static ContainerResult run(ContainerSpec.Builder spec) throws InterruptedException {
        return Barco.run(spec.build());
    }

    /** Runs the script and returns its stdout, failing the test unless it exits 0. */
    public static String output(String script) throws InterruptedException {
        return output(spec(script));
    }

    public static String output(ContainerSpec.Builder spec) throws InterruptedException {
        ContainerResult result = Barco.run(spec.build());
        if (!result.succeeded()) {
            throw new AssertionError(
                    "container " + result.status() + "\nstdout: " + result.stdout() + "\nstderr: " + result.stderr());
        }
        return result.stdout();
    }
}
