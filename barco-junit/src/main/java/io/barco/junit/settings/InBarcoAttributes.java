package io.barco.junit.settings;

import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.junit.config.BarcoKeys;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names under which the extension exposes settings: {@code @InBarco}'s attributes, which are also
 * the {@code barco.*} configuration parameters; and the hint it adds to a runtime failure about one
 * ("rootfs /x does not exist: give an existing directory (@InBarco(rootfs), or barco.rootfs)").
 */
public final class InBarcoAttributes {
    /** Attribute name to setting, in the order a layer applies them. */
    static final Map<String, Setting> SETTINGS;

    static {
        Map<String, Setting> settings = new LinkedHashMap<>();
        settings.put("uid", Setting.UID);
        settings.put("rootfs", Setting.ROOTFS);
        settings.put("image", Setting.IMAGE);
        settings.put("memory", Setting.MEMORY);
        settings.put("cpus", Setting.CPUS);
        settings.put("cpuWeight", Setting.CPU_WEIGHT);
        settings.put("pids", Setting.PIDS);
        settings.put("network", Setting.NETWORK);
        settings.put("hostname", Setting.HOSTNAME);
        settings.put("binds", Setting.BINDS);
        settings.put("tmpfs", Setting.TMPFS);
        settings.put("writableRoot", Setting.WRITABLE_ROOT);
        settings.put("writableRootSize", Setting.WRITABLE_ROOT_SIZE);
        // drops before adds, as Docker: capDrop = "ALL", capAdd = "KILL" keeps KILL
        settings.put("capDrop", Setting.CAP_DROP);
        settings.put("capAdd", Setting.CAP_ADD);
        settings.put("seccompDeny", Setting.SECCOMP_DENY);
        settings.put("timeout", Setting.TIMEOUT);
        SETTINGS = Collections.unmodifiableMap(settings);
    }

    private InBarcoAttributes() {}

    /** {@code e} with the attribute that fixes it named; {@code e} itself when none does, or it is named already. */
    public static BarcoException explained(BarcoException e) {
        String attribute = e.setting()
                .flatMap(s -> SETTINGS.entrySet().stream()
                        .filter(a -> a.getValue() == s)
                        .findFirst())
                .map(Map.Entry::getKey)
                .orElse(null);
        if (attribute == null) {
            return e;
        }
        String hint = " (@InBarco(" + attribute + "), or " + BarcoKeys.ATTRIBUTE_PREFIX + attribute + ")";
        if (e.getMessage().endsWith(hint)) {
            return e;
        }
        return new BarcoException(e.getMessage() + hint, e.setting().get(), e);
    }
}
