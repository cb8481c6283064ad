package io.barco.junit.fork;

import io.barco.junit.config.BarcoKeys;
import io.barco.spec.SecretNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The build's environment as a fork gets it: all of it, as a plain Surefire run passes it to its test
 * JVM, but variables whose names look like secrets (tokens, passwords, keys, credentials, cloud
 * accounts) only when the build asks for them by name or pattern in {@code barco.passEnv}: code in a
 * container is code the host does not trust with what the build itself was trusted with.
 */
final class SecretEnvironment {
    private SecretEnvironment() {}

    static boolean secretLooking(String name) {
        return SecretNames.secretLooking(name);
    }

    /**
     * The variables a fork gets: those of {@code environment} that do not look like secrets, and those
     * that do but {@code pass} names. What is withheld is said once a run, by name only: {@code told}
     * is the run's, set once it was said.
     */
    static Map<String, String> forFork(Map<String, String> environment, List<String> pass, AtomicBoolean told) {
        List<Pattern> passed =
                pass.stream().map(p -> SecretNames.glob(p.trim())).toList();
        Map<String, String> kept = new LinkedHashMap<>();
        List<String> withheld = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (!secretLooking(name) || SecretNames.passed(name, passed)) {
                kept.put(name, value);
            } else {
                withheld.add(name);
            }
        });
        if (!withheld.isEmpty() && told.compareAndSet(false, true)) {
            System.err.println(
                    "[barco] environment variables that look like secrets are not passed to forked test JVMs: "
                            + String.join(", ", withheld) + " (name those a test needs in "
                            + BarcoKeys.PASS_ENV + ")");
        }
        return kept;
    }
}
