package io.barco.junit.fork;

import io.barco.junit.config.BarcoKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    /** Names that look like secrets, compared in upper case. */
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "(.*_)?(TOKEN|PASSWORD|PASSWD|PASSPHRASE|KEY|APIKEY|CREDENTIALS?|AUTH|PAT)|.*SECRET.*|"
                    + "(AWS|AZURE|ARM|GOOGLE|GCLOUD|CLOUDSDK|GCP|ALIBABA_CLOUD|DIGITALOCEAN|HCLOUD|OCI)_.*|API_?KEY|.*_API_?KEY_.*");

    private SecretEnvironment() {}

    static boolean secretLooking(String name) {
        return SECRET_LOOKING.matcher(name.toUpperCase(Locale.ROOT)).matches();
    }

    /**
     * The variables a fork gets: those of {@code environment} that do not look like secrets, and those
     * that do but {@code pass} names. What is withheld is said once a run, by name only: {@code told}
     * is the run's, set once it was said.
     */
    static Map<String, String> forFork(Map<String, String> environment, List<String> pass, AtomicBoolean told) {
        List<Pattern> passed = pass.stream().map(SecretEnvironment::glob).toList();
        Map<String, String> kept = new LinkedHashMap<>();
        List<String> withheld = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (!secretLooking(name)
                    || passed.stream().anyMatch(p -> p.matcher(name).matches())) {
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

    private static Pattern glob(String pattern) {
        return Pattern.compile(java.util.Arrays.stream(pattern.trim().split("\\*", -1))
                .map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*")));
    }
}
