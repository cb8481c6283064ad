package io.barco.junit.jvm;

import io.barco.junit.settings.InBarcoSettings;
import java.util.List;

/**
 * The forked JVM that many tests share: a class's or the run's, as the extension resolved it.
 *
 * @param key what identifies the batch in the run: its owning class's unique id, or {@code *} for the run
 * @param name what the forked JVM is told it runs: the owning class's binary name, or {@code *}
 *     (the forked runner keeps the tests with that class's settings, or with none)
 * @param settings the settings its container and JVM are made with
 * @param ids the unique ids of what it runs: the planned test methods of the class, or the run's classes
 * @param startNextAhead whether the next batch's JVM starts while this one runs (the next class has equal settings)
 */
public record BatchPlan(String key, String name, InBarcoSettings settings, List<String> ids, boolean startNextAhead) {
    public BatchPlan {
        ids = List.copyOf(ids);
    }
}
