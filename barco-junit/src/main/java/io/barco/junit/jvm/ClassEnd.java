package io.barco.junit.jvm;

import io.barco.cgroup.ResourceUsage;
import java.util.Optional;

/**
 * How a class ended in its shared JVM, for the host's class: the JVM's usage when it ended with the
 * class (reported with the class), and the class's failure there (its {@code @AfterAll}), if any.
 */
public record ClassEnd(Optional<ResourceUsage> jvmUsage, Throwable failure) {
    static final ClassEnd NOTHING = new ClassEnd(Optional.empty(), null);
}
