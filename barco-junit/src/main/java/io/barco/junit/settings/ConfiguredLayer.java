package io.barco.junit.settings;

import io.barco.Setting;
import io.barco.junit.config.BarcoKeys;
import io.barco.spec.SpecOptions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code @InBarco}'s attributes given as configuration parameters ({@code barco.memory=512M} as a system
 * property or in junit-platform.properties): the outermost layer of every test's settings, so the
 * whole-suite switch is configured without touching tests or the POM; an annotation wins over it.
 * The values are text for {@link SpecOptions}, as the annotation's are; lists are comma-separated.
 * {@code barco.jvmArgs} (whitespace-separated) adds JVM options to forks.
 *
 * @param values attribute name to value, in the annotation's order
 */
record ConfiguredLayer(Map<String, String> values) {

    /** The layer the parameters make; empty when none is set. */
    static Optional<ConfiguredLayer> from(Function<String, Optional<String>> parameters) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : InBarcoAttributes.SETTINGS.keySet()) {
            parameters
                    .apply(BarcoKeys.ATTRIBUTE_PREFIX + name)
                    .map(String::trim)
                    .filter(v -> !v.isEmpty())
                    .ifPresent(v -> values.put(name, v));
        }
        return values.isEmpty()
                ? Optional.empty()
                : Optional.of(new ConfiguredLayer(java.util.Collections.unmodifiableMap(values)));
    }

    void applyTo(SpecOptions options) {
        values.forEach((name, value) -> {
            Setting setting = InBarcoAttributes.SETTINGS.get(name);
            if (!SpecOptions.isList(setting)) {
                options.set(setting, value);
                return;
            }
            Arrays.stream(value.split(","))
                    .map(String::trim)
                    .filter(v -> !v.isEmpty())
                    .forEach(v -> options.add(setting, v));
        });
    }

    @Override
    public String toString() {
        return "barco parameters" + values;
    }
}
