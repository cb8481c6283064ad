package io.barco.bench;

import io.barco.Barco;
import io.barco.launch.Container;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.spec.Stdio;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A launching JVM for the soak to SIGKILL: says "ready", then launches containers without end, some
 * left running (`sleep 1000`, for the collector to find once this JVM is dead), printing each pid.
 */
public final class SoakLauncher {
    private SoakLauncher() {}

    public static void main(String[] args) throws Exception {
        ContainerSpec brief = ContainerSpec.builder("/bin/true")
                .stdio(Stdio.DISCARD)
                .limits(Limits.SEED)
                .build();
        ContainerSpec left = ContainerSpec.builder("/bin/sleep")
                .args("1000")
                .stdio(Stdio.DISCARD)
                .limits(Limits.SEED)
                .build();
        System.out.println("ready");
        System.out.flush();
        for (; ; ) {
            boolean leave = ThreadLocalRandom.current().nextInt(4) == 0;
            Container c = Barco.launch(leave ? left : brief);
            System.out.println("pid " + c.pid());
            System.out.flush();
            if (!leave) {
                c.waitFor();
                c.close();
            }
        }
    }
}
