package io.barco.junit;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The oldest JUnit barco-junit supports, and the check that a test run's is not older. barco-junit
 * brings no JUnit of its own (the project's runs), so an older one would fail in ways that do not
 * say why, or not at all where it should: JUnit 5.9 is the first whose timeouts the forked JVM can
 * run on a thread of their own ({@code junit.jupiter.execution.timeout.thread.mode.default}), and
 * the oldest {@code samples/junit-versions/check.sh} passes with. A JUnit whose version is not known
 * (a repackaged one, with no manifest) is not refused.
 */
final class JUnitVersion {
    /** Jupiter's: JUnit Platform 1.9.0 goes with it; JUnit 6 (Jupiter and Platform 6.x) is newer. */
    static final String MINIMUM = "5.9.0";

    private static final String PROBLEM =
            problem(ExtensionContext.class.getPackage().getImplementationVersion());

    private JUnitVersion() {}

    /** Throws, in one line, when the running JUnit Jupiter is older than {@link #MINIMUM}. */
    static void check() {
        if (PROBLEM != null) {
            throw new IllegalStateException(PROBLEM);
        }
    }

    /** What is wrong with this JUnit Jupiter version, or null when barco-junit supports it (or it is not known). */
    static String problem(String jupiterVersion) {
        int[] running = parse(jupiterVersion);
        if (running == null || compare(running, parse(MINIMUM)) >= 0) {
            return null;
        }
        return "barco-junit needs JUnit " + MINIMUM + " or newer (JUnit 6 too), and this test run has JUnit Jupiter "
                + jupiterVersion + ": declare org.junit:junit-bom (or org.junit.jupiter:junit-jupiter) " + MINIMUM
                + " or newer";
    }

    /** Major, minor and patch of 5.10.2, 6.0.0-RC1 and the like; null when the text does not start so. */
    static int[] parse(String version) {
        if (version == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?")
                .matcher(version.trim());
        if (!m.find()) {
            return null;
        }
        return new int[] {
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3))
        };
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
