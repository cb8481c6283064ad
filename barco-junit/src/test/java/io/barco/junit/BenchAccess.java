package io.barco.junit;

import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.ContainerResult;

/** Lets the overhead benchmark use command mode as a test would, without a test around it. */
public final class BenchAccess {
    private static final BarcoContainer CONTAINER =
            new BarcoContainer(InBarcoSettings.defaults(), io.barco.output.OutputLimits.DEFAULT, result -> {});

    private BenchAccess() {}

    public static ContainerResult execTrue() throws InterruptedException {
        ContainerResult result = CONTAINER.exec("/bin/true");
        if (!result.succeeded()) {
            throw new IllegalStateException("exec(/bin/true) " + result);
        }
        return result;
    }
}
