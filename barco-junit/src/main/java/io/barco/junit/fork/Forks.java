package io.barco.junit.fork;

import io.barco.BarcoRuntime;
import io.barco.junit.buildjvm.ForkedClasspath;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.sys.UntrustedFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one run's forked JVMs are started with and leave behind: the runtime that launches their
 * containers (given, so a test can give a fake), the forked classpaths and class data archives the
 * run worked out, the coverage files forks append to, and the JVMs not yet closed. A test JVM that is
 * told to exit (SIGTERM, say) closes those, and removes their directories, through the shutdown hook
 * each run registers while it lives.
 */
public final class Forks implements AutoCloseable {
    final BarcoRuntime runtime;
    final ForkedClasspath.Cache classpaths = new ForkedClasspath.Cache();
    final ClassDataArchive.Checks archiveChecks;
    /** The build's coverage files forks append to, by path: what each holds, as far as it was read. */
    final Map<Path, CoverageFile> coverageFiles = new ConcurrentHashMap<>();
    /** JVMs not yet closed. */
    final Set<ForkedJvm> live = ConcurrentHashMap.newKeySet();
    /**
     * Result directories of JVMs being started, not yet {@link #live}: a JVM told to exit while one
     * starts (a standby fork, say) removes them too, or they stayed behind until barco gc.
     */
    final Set<Path> starting = ConcurrentHashMap.newKeySet();
    /**
     * Set first by {@link #closeAll}: a JVM that starts while the test JVM exits (a standby fork) then
     * removes what it made itself, as closeAll's copies of live and starting may miss it.
     */
    volatile boolean exiting;
    /** Whether the run said which secret-looking environment variables forks do not get: once a run. */
    final AtomicBoolean secretsWithheldTold = new AtomicBoolean();

    private final Thread shutdownHook = new Thread(this::closeAll, "barco-forked-jvms");

    public Forks(BarcoRuntime runtime) {
        this.runtime = runtime;
        this.archiveChecks = new ClassDataArchive.Checks(runtime);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * A test JVM in its own container, ready for what to run.
     *
     * @param batch false for one test; true for a batch (see {@link ForkedJvm})
     * @param writeArchive whether to write the class data archive when there is none yet
     */
    ForkedJvm start(InBarcoSettings settings, boolean batch, boolean writeArchive) throws IOException {
        return ForkedJvm.start(this, settings, batch, writeArchive);
    }

    private void closeAll() {
        exiting = true;
        for (ForkedJvm jvm : List.copyOf(live)) {
            try {
                jvm.close();
            } catch (IOException | RuntimeException e) {
                // the JVM is going away: what is left, the next JVM or barco gc collects
            }
        }
        for (Path dir : List.copyOf(starting)) {
            try {
                UntrustedFiles.deleteTree(dir);
            } catch (IOException | RuntimeException e) {
                // as above
            }
        }
    }

    /**
     * The run is over: what is still alive is closed now, and the shutdown hook goes (a JVM that runs
     * many test plans would otherwise keep every run's).
     */
    @Override
    public void close() {
        closeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs, or ran, closeAll itself
        }
    }
}
