package io.barco.junit.buildjvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the real java launcher makes of an argument file: each option exactly as given. */
class ArgumentFileTest {
    static final List<String> VALUES = List.of(
            "plain",
            "with spaces # and a hash",
            "back\\slash \"quoted\" 'single'",
            "tab\there, line\nbreak, return\r, feed\f",
            "ünïcödé ✓",
            "",
            "=");

    /** Prints each property of {@link #VALUES} as the launched JVM got it, NUL-separated. */
    public static void main(String[] args) {
        for (int i = 0; i < VALUES.size(); i++) {
            System.out.print(System.getProperty("p" + i) + "\0");
        }
    }

    @Test
    void theLauncherReadsBackEveryOptionAsItWas(@TempDir Path dir) throws Exception {
        List<String> options = new java.util.ArrayList<>();
        for (int i = 0; i < VALUES.size(); i++) {
            options.add("-Dp" + i + "=" + VALUES.get(i));
        }
        options.addAll(List.of("-cp", System.getProperty("java.class.path")));
        Path file = Files.writeString(dir.resolve("options"), ArgumentFile.of(options), StandardCharsets.UTF_8);
        Process java = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "@" + file,
                        ArgumentFileTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.split("\0", -1)).containsExactlyElementsOf(append(VALUES, ""));
    }

    private static List<String> append(List<String> list, String last) {
        List<String> all = new java.util.ArrayList<>(list);
        all.add(last);
        return all;
    }
}
