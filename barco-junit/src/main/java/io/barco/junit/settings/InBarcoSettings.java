package io.barco.junit.settings;

import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.image.Images;
import io.barco.junit.config.BarcoKeys;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Durations;
import io.barco.spec.ImageRoot;
import io.barco.spec.SpecOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The merged {@code @InBarco} settings of a test: outer classes first, then the class, then the method ({@link Layer}s). */
public final class InBarcoSettings {
    /** Images resolved for these settings: one resolution (a read of the layout's index) however many specs. */
    private final java.util.Map<String, ImageRoot> images = new java.util.concurrent.ConcurrentHashMap<>();

    private final List<Layer> layers;
    /** The barco.* parameters, under every annotation; null when none is set. */
    private final ConfiguredLayer configured;
    /** JVM options for forked JVMs beyond the build's, from barco.jvmArgs. */
    private final List<String> jvmArgs;
    /** The most any forked JVM may run, from barco.forkTimeout. */
    private final Duration forkTimeout;
    /** Secret-looking environment variables forks get all the same, from barco.passEnv: names or patterns. */
    private final List<String> passEnv;

    static final Duration DEFAULT_FORK_TIMEOUT = Duration.ofMinutes(60);

    private InBarcoSettings(List<Layer> layers) {
        this(layers, null, List.of(), DEFAULT_FORK_TIMEOUT, List.of());
    }

    private InBarcoSettings(
            List<Layer> layers,
            ConfiguredLayer configured,
            List<String> jvmArgs,
            Duration forkTimeout,
            List<String> passEnv) {
        this.layers = layers;
        this.configured = configured;
        this.jvmArgs = jvmArgs;
        this.forkTimeout = forkTimeout;
        this.passEnv = passEnv;
    }

    /**
     * These settings under the configuration parameters ({@link ConfiguredLayer}): the parameters are
     * the outermost layer, the annotations win over them.
     */
    public InBarcoSettings configuredBy(java.util.function.Function<String, Optional<String>> parameters) {
        String args = parameters.apply(BarcoKeys.JVM_ARGS).orElse("").trim();
        Duration forkTimeout = parameters
                .apply(BarcoKeys.FORK_TIMEOUT)
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .map(t -> Durations.parse(t, BarcoKeys.FORK_TIMEOUT, Setting.TIMEOUT))
                .orElse(DEFAULT_FORK_TIMEOUT);
        List<String> passEnv = java.util.Arrays.stream(
                        parameters.apply(BarcoKeys.PASS_ENV).orElse("").split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
        return new InBarcoSettings(
                layers,
                ConfiguredLayer.from(parameters).orElse(null),
                args.isEmpty() ? List.of() : List.of(args.split("\\s+")),
                forkTimeout,
                passEnv);
    }

    /** The secret-looking environment variables forks get all the same: names, or patterns with {@code *}. */
    public List<String> passEnv() {
        return passEnv;
    }

    public List<String> jvmArgs() {
        return jvmArgs;
    }

    /**
     * The most a forked JVM may run, whatever its tests do: the host ends it then. A bound on what
     * the host waits for, for a class or run JVM whose tests have no timeout, or whose runner hangs
     * between tests.
     */
    public Duration forkTimeout() {
        return forkTimeout;
    }

    /** Equal when the annotations are: then the specs are too. */
    @Override
    public boolean equals(Object other) {
        return other instanceof InBarcoSettings that
                && layers.equals(that.layers)
                && Objects.equals(configured, that.configured)
                && jvmArgs.equals(that.jvmArgs)
                && forkTimeout.equals(that.forkTimeout)
                && passEnv.equals(that.passEnv);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layers, configured, jvmArgs, forkTimeout, passEnv);
    }

    /** barco's defaults, as a bare {@code @InBarco} gives them. */
    public static InBarcoSettings defaults() {
        return new InBarcoSettings(List.of());
    }

    /** The settings these layers make, outermost first; empty when there are none (no annotation applies). */
    public static Optional<InBarcoSettings> of(List<Layer> layers) {
        return layers.isEmpty() ? Optional.empty() : Optional.of(new InBarcoSettings(List.copyOf(layers)));
    }

    /** The image these settings name, resolved (and unpacked, the first time); empty for a rootfs. */
    public Optional<ImageRoot> image() {
        try {
            return options().image();
        } catch (BarcoException e) {
            throw InBarcoAttributes.explained(e);
        }
    }

    /** The container spec for {@code command}, with every layer applied in order; a bad value names its attribute. */
    public ContainerSpec.Builder spec(String command) {
        try {
            return options().builder(command);
        } catch (BarcoException e) {
            throw InBarcoAttributes.explained(e);
        }
    }

    /**
     * The memory limit of the container spec these settings make, or -1 for none: worked out without
     * the image, which is not resolved (let alone pulled again after a test removed it) for this.
     */
    public long memoryLimit() {
        try {
            return options()
                    .set(Setting.IMAGE, "")
                    .builder("unused")
                    .build()
                    .limits()
                    .memoryLimit()
                    .orElse(-1);
        } catch (BarcoException e) {
            throw InBarcoAttributes.explained(e);
        }
    }

    /** The layers as text for the translator every front end shares: the innermost value wins, lists add up. */
    private SpecOptions options() {
        SpecOptions options = SpecOptions.of(SpecOptions.Defaults.UNLIMITED)
                .images(reference -> images.computeIfAbsent(reference, Images::resolve));
        if (configured != null) {
            configured.applyTo(options);
        }
        for (Layer a : layers) {
            if (a.uid() >= 0) {
                options.set(Setting.UID, Integer.toString(a.uid()));
            }
            set(options, Setting.ROOTFS, a.rootfs());
            set(options, Setting.IMAGE, a.image());
            set(options, Setting.MEMORY, a.memory());
            set(options, Setting.CPUS, a.cpus());
            if (a.cpuWeight() >= 0) {
                options.set(Setting.CPU_WEIGHT, Integer.toString(a.cpuWeight()));
            }
            if (a.pids() >= 0) {
                options.set(Setting.PIDS, Integer.toString(a.pids()));
            }
            set(options, Setting.NETWORK, a.network());
            set(options, Setting.HOSTNAME, a.hostname());
            if (a.writableRoot()) {
                options.set(Setting.WRITABLE_ROOT, "true");
            }
            set(options, Setting.WRITABLE_ROOT_SIZE, a.writableRootSize());
            add(options, Setting.BINDS, a.binds());
            add(options, Setting.TMPFS, a.tmpfs());
            add(
                    options,
                    Setting.CAP_DROP,
                    a.capDrop()); // drops first, as Docker: capDrop = "ALL", capAdd = "KILL" keeps KILL
            add(options, Setting.CAP_ADD, a.capAdd());
            add(options, Setting.SECCOMP_DENY, a.seccompDeny());
            set(options, Setting.TIMEOUT, a.timeout());
        }
        return options;
    }

    private static void set(SpecOptions options, Setting setting, String value) {
        if (!value.isEmpty()) {
            options.set(setting, value);
        }
    }

    private static void add(SpecOptions options, Setting setting, List<String> values) {
        for (String value : values) {
            options.add(setting, value);
        }
    }
}
