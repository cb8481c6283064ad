package io.barco.junit.buildjvm;

import io.barco.junit.config.BarcoKeys;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the build tool gave the JVM that runs the tests (Surefire's fork, Gradle's test worker, an
 * IDE's runner), read from the running JVM itself, so that the forked test JVM gets the same: its JVM
 * options ({@code -Xmx}, {@code -XX:}, {@code --add-opens}, {@code -javaagent:}…), the system properties
 * the build set, its environment and its working directory. Nothing here knows a build tool.
 *
 * <p>Left out, because they only make sense on the host: a debugger agent (its port would be inside
 * the container's network), class data sharing options (barco brings its own), {@code java.*},
 * {@code sun.*}, {@code jdk.*} and {@code os.*} properties the JVM sets itself (those the build set
 * on the command line come with the JVM options), the user's name, home and working directory (the
 * container has its own; the working directory is set by the container), and the environment
 * variables listed in {@link #HOST_ONLY_ENV}. {@code HOME} and {@code TMPDIR} become {@code /tmp}.
 */
public record BuildJvm(
        List<String> jvmOptions,
        Map<String, String> systemProperties,
        Map<String, String> environment,
        Path workingDirectory) {
    /** Environment variables that point at the host's sessions, or were applied to this JVM already. */
    static final Set<String> HOST_ONLY_ENV = Set.of(
            "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS",
            "CLASSPATH",
            "PWD",
            "OLDPWD",
            "XDG_RUNTIME_DIR",
            "DBUS_SESSION_BUS_ADDRESS",
            "SSH_AUTH_SOCK",
            "SSH_AGENT_PID",
            "GPG_AGENT_INFO");

    private static final Set<String> HOST_ONLY_PROPERTIES = Set.of(
            "user.dir",
            "user.home",
            "user.name",
            "line.separator",
            "file.separator",
            "path.separator",
            "native.encoding",
            BarcoKeys.FORKED);
    private static final List<String> JVM_PROPERTY_PREFIXES = List.of("java.", "sun.", "jdk.", "os.");
    /** Longer values are left out: no honest property is that long, and each reaches the fork's options file. */
    private static final int MAX_PROPERTY_LENGTH = 64 * 1024;

    public static BuildJvm current() {
        return of(
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperties(),
                System.getenv(),
                Path.of(System.getProperty("user.dir")));
    }

    static BuildJvm of(
            List<String> inputArguments, Properties properties, Map<String, String> env, Path workingDirectory) {
        List<String> options = new ArrayList<>();
        for (String option : inputArguments) {
            if (!hostOnlyOption(option)) {
                options.add(option);
            }
        }
        Map<String, String> props = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name);
            if (!HOST_ONLY_PROPERTIES.contains(name)
                    && JVM_PROPERTY_PREFIXES.stream().noneMatch(name::startsWith)
                    && value.length() <= MAX_PROPERTY_LENGTH
                    && name.indexOf('=') < 0) {
                props.put(name, value);
            }
        }
        // its encoding, locale and time zone, whether the build chose them or they came from the host
        for (String name : List.of("file.encoding", "user.language", "user.country", "user.variant", "user.timezone")) {
            String value = properties.getProperty(name);
            if (value != null && !value.isEmpty()) {
                props.put(name, value);
            }
        }
        Map<String, String> environment = new LinkedHashMap<>();
        new TreeMap<>(env).forEach((name, value) -> {
            if (!HOST_ONLY_ENV.contains(name)) {
                environment.put(name, value);
            }
        });
        environment.put("HOME", "/tmp");
        environment.put("TMPDIR", "/tmp");
        environment.put("PWD", workingDirectory.toString());
        return new BuildJvm(List.copyOf(options), Map.copyOf(props), environment, workingDirectory);
    }

    private static boolean hostOnlyOption(String option) {
        return option.startsWith("-agentlib:jdwp")
                || option.startsWith("-Xrunjdwp")
                || option.equals("-Xdebug")
                || option.startsWith("-Xshare:")
                || option.startsWith("-XX:SharedArchiveFile")
                || option.startsWith("-XX:ArchiveClassesAtExit")
                || option.equals("-XX:+AutoCreateSharedArchive")
                || option.startsWith("-Djava.io.tmpdir=")
                || option.startsWith("-Duser.dir=")
                || option.startsWith("-D" + BarcoKeys.FORKED + "=");
    }

    /** Whether these options choose a garbage collector: then no other may be chosen (the JVM refuses two). */
    public static boolean choosesGc(List<String> options) {
        return options.stream().anyMatch(o -> o.matches("-XX:\\+Use\\w*GC"));
    }

    public boolean choosesGc() {
        return choosesGc(jvmOptions);
    }

    /**
     * The collector this JVM runs with, as an option, when the build did not choose one: the JVM
     * chose it from the host's CPUs and memory, and a fork in a smaller container would choose
     * another (the serial collector, which fits no object beyond its old generation: a test that
     * allocates a 4 GB array behaves otherwise). Empty when it cannot tell.
     */
    public static java.util.Optional<String> runningGc() {
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName();
            if (name.startsWith("G1")) {
                return java.util.Optional.of("-XX:+UseG1GC");
            }
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                return java.util.Optional.of("-XX:+UseSerialGC");
            }
            if (name.startsWith("PS ")) {
                return java.util.Optional.of("-XX:+UseParallelGC");
            }
            if (name.startsWith("ZGC")) {
                return java.util.Optional.of("-XX:+UseZGC");
            }
            if (name.startsWith("Shenandoah")) {
                return java.util.Optional.of("-XX:+UseShenandoahGC");
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether the build chose how the JIT compiles: then barco leaves it alone. */
    public boolean choosesCompilation() {
        return jvmOptions.stream()
                .anyMatch(o -> o.startsWith("-XX:TieredStopAtLevel")
                        || o.startsWith("-XX:-TieredCompilation")
                        || o.startsWith("-Xint")
                        || o.startsWith("-Xcomp"));
    }

    /** The heap limit the build gave, as written ({@code 2g}), if any. */
    public java.util.Optional<String> maxHeap() {
        String last = null;
        for (String option : jvmOptions) {
            if (option.startsWith("-Xmx")) {
                last = option.substring(4);
            } else if (option.startsWith("-XX:MaxHeapSize=")) {
                last = option.substring("-XX:MaxHeapSize=".length());
            }
        }
        return java.util.Optional.ofNullable(last);
    }
}
