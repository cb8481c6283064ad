package io.barco.junit.run;

import io.barco.BarcoRuntime;
import io.barco.junit.fork.Forks;
import io.barco.junit.fork.WarmJvms;
import io.barco.junit.jvm.ClassForks;
import io.barco.junit.report.UsageReport;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What one run of barco's tests shares, and nothing outlives: the runtime its containers start in,
 * the forks' caches and live JVMs ({@link Forks}), the JVMs started ahead ({@link WarmJvms}),
 * the shared JVMs of classes and the run ({@link ClassForks}) and the usage report. The extension
 * keeps one in the root context's store, so JUnit closes it when the run ends; then the report's
 * summary is said, and whatever the run started is gone.
 */
@SuppressWarnings("deprecation") // CloseableResource: JUnit before 5.13 closes nothing else in a store
public final class BarcoRun implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final BarcoRuntime runtime;
    private final Forks forks;
    private final WarmJvms warmJvms;
    private final ClassForks classForks;
    private final UsageReport usage = new UsageReport();
    private final Consumer<String> console;

    /**
     * @param runtime where the run's containers start (the machine's, or a test's fake)
     * @param warmJvms the run's JVMs started ahead (made as the plan started, when it started one)
     * @param console where the usage summary goes at the end (the build's stdout)
     */
    public BarcoRun(BarcoRuntime runtime, Forks forks, WarmJvms warmJvms, Consumer<String> console) {
        this.runtime = runtime;
        this.forks = forks;
        this.warmJvms = warmJvms;
        this.classForks = new ClassForks((plan, progress) ->
                warmJvms.runBatch(plan.settings(), plan.name(), plan.ids(), plan.startNextAhead(), progress));
        this.console = console;
    }

    public BarcoRuntime runtime() {
        return runtime;
    }

    public Forks forks() {
        return forks;
    }

    public WarmJvms warmJvms() {
        return warmJvms;
    }

    public ClassForks classForks() {
        return classForks;
    }

    public UsageReport usage() {
        return usage;
    }

    /**
     * The run is over: the shared JVMs have ended (each class waited for its own), those started ahead
     * for nothing are closed, and the usage summary and page are said once.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            classForks.close();
        } finally {
            warmJvms.close();
            forks.close();
            usage.summary().ifPresent(console);
            usage.writeHtml().ifPresent(page -> console.accept("[barco] usage page: " + page));
        }
    }
}
