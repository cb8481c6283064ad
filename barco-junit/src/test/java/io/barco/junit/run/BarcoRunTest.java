package io.barco.junit.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoRuntime;
import io.barco.junit.fork.Forks;
import io.barco.junit.fork.WarmJvms;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.testing.FakeHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's state over a runtime it is given: a fake machine here, so nothing starts a container. */
class BarcoRunTest {
    @TempDir
    Path dir;

    private BarcoRun run(List<String> console) {
        BarcoRuntime runtime = new BarcoRuntime(FakeHost.v2(dir), "barco-test");
        Forks forks = new Forks(runtime);
        return new BarcoRun(runtime, forks, new WarmJvms(forks), console::add);
    }

    @Test
    void aRunUsesTheRuntimeItIsGiven() throws Exception {
        BarcoRuntime runtime = new BarcoRuntime(FakeHost.v2(dir), "barco-test");
        Forks forks = new Forks(runtime);
        try (BarcoRun run = new BarcoRun(runtime, forks, new WarmJvms(forks), line -> {})) {
            assertThat(run.runtime()).isSameAs(runtime);
            assertThat(run.forks()).isSameAs(forks);
        }
    }

    @Test
    void aRunInWhichNoTestUsedAContainerSaysNothingAtItsEnd() throws Exception {
        List<String> console = new ArrayList<>();
        run(console).close();
        assertThat(console).isEmpty();
    }

    @Test
    void noForkedJvmStartsOnceItsRunEnded() throws Exception {
        List<String> console = new ArrayList<>();
        BarcoRun run = run(console);
        run.close();

        assertThatThrownBy(() ->
                        run.warmJvms().runBatch(InBarcoSettings.defaults(), "x.FooTest", List.of(), false, o -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no forked JVM starts now");
    }
}
