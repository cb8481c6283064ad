package io.barco.cli;

import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.spec.SpecOptions;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * The CLI's name for each setting: the hint it adds to a runtime message about one ("rootfs /x does
 * not exist: give an existing directory (-m)"), and the default {@code --help} shows for it, from
 * {@link SpecOptions.Defaults#SEED}.
 */
final class Flags implements CommandLine.IDefaultValueProvider {
    private static final Map<Setting, String> FLAGS = new EnumMap<>(Map.ofEntries(
            Map.entry(Setting.COMMAND, "-c"),
            Map.entry(Setting.ARGV0, "-a"),
            Map.entry(Setting.ARGS, "-- ARG..."),
            Map.entry(Setting.ENV, "-e"),
            Map.entry(Setting.UID, "-u"),
            Map.entry(Setting.GID, "--gid"),
            Map.entry(Setting.ID_MAP, "--id-map"),
            Map.entry(Setting.ROOTFS, "-m"),
            Map.entry(Setting.IMAGE, "--image"),
            Map.entry(Setting.WRITABLE_ROOT, "--rw"),
            Map.entry(Setting.WRITABLE_ROOT_SIZE, "--rw-size"),
            Map.entry(Setting.WRITE_THROUGH_ROOT, "--rw-host-root"),
            Map.entry(Setting.HOSTNAME, "--hostname"),
            Map.entry(Setting.WORKDIR, "-w"),
            Map.entry(Setting.BINDS, "--bind"),
            Map.entry(Setting.TMPFS, "--tmpfs"),
            Map.entry(Setting.NETWORK, "--network"),
            Map.entry(Setting.TIMEOUT, "--timeout"),
            Map.entry(Setting.CAP_ADD, "--cap-add"),
            Map.entry(Setting.CAP_DROP, "--cap-drop"),
            Map.entry(Setting.SECCOMP_DENY, "--seccomp-deny"),
            Map.entry(Setting.NO_SECCOMP, "--no-seccomp"),
            Map.entry(Setting.MEMORY, "--memory"),
            Map.entry(Setting.MEMORY_SWAP, "--memory-swap"),
            Map.entry(Setting.CPU_WEIGHT, "--cpu-weight"),
            Map.entry(Setting.CPUS, "--cpus"),
            Map.entry(Setting.PIDS, "--pids"),
            Map.entry(Setting.ALLOW_MISSING_CONTROLLERS, "--allow-missing-controllers")));

    /** The line barco prints for a failure: the runtime's message, and the flag that changes the setting it names. */
    static String line(BarcoException e) {
        return "barco: " + e.getMessage()
                + e.setting().map(s -> " (" + FLAGS.get(s) + ")").orElse("");
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!(argSpec instanceof CommandLine.Model.OptionSpec option)) {
            return null;
        }
        return FLAGS.entrySet().stream()
                .filter(e -> Arrays.asList(option.names()).contains(e.getValue()))
                .findFirst()
                .flatMap(e -> SpecOptions.Defaults.SEED.of(e.getKey()))
                .orElse(null);
    }
}
