package io.barco.junit;

import java.lang.annotation.Annotation;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link InBarco}'s attributes given as configuration parameters ({@code barco.memory=512M} as a system
 * property or in junit-platform.properties): the outermost layer of every test's settings, so the
 * whole-suite switch is configured without touching tests or the POM; an annotation wins over it.
 * Lists are comma-separated. {@code barco.jvmArgs} (whitespace-separated) adds JVM options to forks.
 */
record ConfiguredLayer(int uid, String rootfs, String memory, String cpus, int cpuWeight, int pids, String network,
        String hostname, String[] binds, String[] tmpfs, boolean writableRoot, String writableRootSize, String[] capAdd, String[] capDrop,
        String[] seccompDeny, String timeout, Granularity granularity) implements InBarco {

    static final String PREFIX = "barco.";
    /** The attributes that may be given as parameters, by name: barco.NAME. */
    static final List<String> NAMES = List.of("uid", "rootfs", "memory", "cpus", "cpuWeight", "pids", "network", "hostname",
            "binds", "tmpfs", "writableRoot", "writableRootSize", "capAdd", "capDrop", "seccompDeny", "timeout");

    /** The layer the parameters make; empty when none is set. */
    static Optional<ConfiguredLayer> from(Function<String, Optional<String>> parameters) {
        if (NAMES.stream().allMatch(name -> parameters.apply(PREFIX + name).isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new ConfiguredLayer(number(parameters, "uid"), text(parameters, "rootfs"), text(parameters, "memory"),
                text(parameters, "cpus"), number(parameters, "cpuWeight"), number(parameters, "pids"), text(parameters, "network"),
                text(parameters, "hostname"), list(parameters, "binds"), list(parameters, "tmpfs"),
                Boolean.parseBoolean(text(parameters, "writableRoot")), text(parameters, "writableRootSize"), list(parameters, "capAdd"), list(parameters, "capDrop"),
                list(parameters, "seccompDeny"), text(parameters, "timeout"), Granularity.INHERIT));
    }

    private static String text(Function<String, Optional<String>> parameters, String name) {
        return parameters.apply(PREFIX + name).map(String::trim).orElse("");
    }

    private static int number(Function<String, Optional<String>> parameters, String name) {
        String value = text(parameters, name);
        if (value.isEmpty()) {
            return -1;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + PREFIX + name + " '" + value + "': give a whole number, 0 or more");
        }
    }

    private static String[] list(Function<String, Optional<String>> parameters, String name) {
        String value = text(parameters, name);
        return value.isEmpty() ? new String[0] : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return InBarco.class;
    }

    /** Equal when every value is: the record's own equality would compare the arrays by identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ConfiguredLayer that && toString().equals(that.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "barco parameters[uid=" + uid + ", rootfs=" + rootfs + ", memory=" + memory + ", cpus=" + cpus + ", cpuWeight="
                + cpuWeight + ", pids=" + pids + ", network=" + network + ", hostname=" + hostname + ", binds=" + Arrays.toString(binds)
                + ", tmpfs=" + Arrays.toString(tmpfs) + ", writableRoot=" + writableRoot + ", writableRootSize=" + writableRootSize + ", capAdd=" + Arrays.toString(capAdd)
                + ", capDrop=" + Arrays.toString(capDrop) + ", seccompDeny=" + Arrays.toString(seccompDeny) + ", timeout=" + timeout + "]";
    }
}
