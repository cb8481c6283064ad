package io.barco.plan;

import java.util.List;
import java.util.Objects;

/**
 * One step of a launch plan: an operation, two numbers and up to four byte strings whose meaning
 * depends on the operation, and the description that names the step when it fails.
 */
public record Step(Op op, long a, long b, List<byte[]> strings, String description) {
    public static final int MAX_STRINGS = 4;

    public Step {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(description, "description");
        if (strings.size() > MAX_STRINGS) {
            throw new IllegalArgumentException("a step carries at most " + MAX_STRINGS + " strings");
        }
        strings = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(strings));
    }

    /** String {@code i} as text, or null when absent. */
    public String text(int i) {
        if (i >= strings.size() || strings.get(i) == null) {
            return null;
        }
        return new String(strings.get(i), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return description;
    }
}
