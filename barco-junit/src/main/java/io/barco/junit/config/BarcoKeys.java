package io.barco.junit.config;

/**
 * Every {@code barco.*} key barco-junit reads, and the environment variable it reads, in one place:
 * what a user may set (as a JUnit configuration parameter: a system property, or a line of
 * {@code junit-platform.properties}) and what barco sets itself. Other code refers to these
 * constants, so a key is spelled, and documented, once; {@code docs/junit.md} explains them at length.
 */
public final class BarcoKeys {
    private BarcoKeys() {}

    // ---- configuration parameters a user sets ---------------------------------------------------

    /**
     * {@code true}: every test of the run goes into a container, annotated or not (with the extension
     * registered by {@code junit.jupiter.extensions.autodetection.enabled=true}); default false.
     */
    public static final String ALL = "barco.all";

    /**
     * How JVM-mode tests share forked JVMs: {@code class} (the default) one JVM per top-level test
     * class, {@code method} one per test method, {@code run} one for the whole run.
     */
    public static final String GRANULARITY = "barco.granularity";

    /**
     * {@code true} (the default): the next JVM a class or test will want starts in its own container
     * while this one runs; {@code false}: each JVM starts when it is needed (less memory, slower).
     */
    public static final String START_AHEAD = "barco.startAhead";

    /** {@code true}: a test that cannot run in a container fails instead of being skipped; default false. */
    public static final String REQUIRE = "barco.require";

    /** The most any forked JVM may run, whatever its tests' timeouts: a duration such as {@code 30m}; default 60m. */
    public static final String FORK_TIMEOUT = "barco.forkTimeout";

    /**
     * Comma-separated names, or patterns with {@code *}, of secret-looking environment variables
     * (tokens, passwords, keys) that forks get all the same; other variables they get anyway.
     */
    public static final String PASS_ENV = "barco.passEnv";

    /** JVM options for forked JVMs beyond the build's, whitespace-separated. */
    public static final String JVM_ARGS = "barco.jvmArgs";

    /**
     * Where usage on the console goes: {@code test} a line per test, {@code summary} the run's summary
     * only, {@code none}; by default, lines for annotated tests and a summary.
     */
    public static final String USAGE_CONSOLE = "barco.usage.console";

    /** The directory for the usage report and spilled output; default {@code target/barco} of the build. */
    public static final String OUTPUT_DIRECTORY = "barco.outputDirectory";

    /**
     * The prefix that makes an {@code @InBarco} attribute a configuration parameter, the outermost
     * layer of every test's settings: {@code barco.memory=512M}, {@code barco.binds=/a:/a,/b:/b}.
     */
    public static final String ATTRIBUTE_PREFIX = "barco.";

    // ---- system properties ----------------------------------------------------------------------

    /** System property {@code false}: forks start without a class data archive (to measure what it saves). */
    public static final String CLASS_DATA_SHARING = "barco.classDataSharing";

    /**
     * System property (and configuration parameter) barco sets to {@code true} in every JVM it forks:
     * there, tests run as in a plain run. Not for users to set.
     */
    public static final String FORKED = "barco.forked";

    // ---- environment ----------------------------------------------------------------------------

    /** Environment variable {@code 1}: as {@link #REQUIRE}, for CI machines that must run the containers. */
    public static final String REQUIRE_PRIVILEGED_ENV = "BARCO_REQUIRE_PRIVILEGED";

    // ---- what barco-junit writes: report entries of each test's usage ---------------------------

    /** Report entry: the test's peak memory. */
    public static final String ENTRY_PEAK_MEMORY = "barco.peakMemory";

    /** Report entry: the test's CPU time. */
    public static final String ENTRY_CPU_TIME = "barco.cpuTime";

    /** Report entry: the most tasks the test had at once. */
    public static final String ENTRY_PEAK_TASKS = "barco.peakTasks";

    /** Report entry: how often the kernel's OOM killer struck. */
    public static final String ENTRY_OOM_KILLS = "barco.oomKills";

    /** Report entry: the test's wall time. */
    public static final String ENTRY_WALL_TIME = "barco.wallTime";

    /** Report entry: what the figures are of, when not the test's own container ({@code container total}). */
    public static final String ENTRY_SCOPE = "barco.scope";

    /** Whether this JVM is one barco forked: {@link #FORKED} is set. */
    public static boolean inForkedJvm() {
        return Boolean.getBoolean(FORKED);
    }
}
