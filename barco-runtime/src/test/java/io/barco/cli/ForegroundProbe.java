package io.barco.cli;

import io.barco.Barco;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * Run on a terminal by {@link CliIT}: a container with inherited stdio takes the terminal's
 * foreground; once it ends, this JVM must have it back, or reading stdin would stop it (SIGTTIN).
 */
public final class ForegroundProbe {
    private ForegroundProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("container: "
                + Barco.run(ContainerSpec.builder("/bin/true")
                                .stdio(Stdio.INHERIT)
                                .build())
                        .status());
        System.out.println("read: " + new BufferedReader(new InputStreamReader(System.in)).readLine());
    }
}
