package io.barco.junit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every {@code barco.*} key barco-junit reads is spelled once, in {@link BarcoKeys}, and documented there. */
class BarcoKeysTest {
    private static final Path SOURCES = Path.of("src/main/java/io/barco/junit");
    private static final Path KEYS = SOURCES.resolve("config/BarcoKeys.java");

    @Test
    void noOtherSourceSpellsABarcoKey() throws IOException {
        List<String> spelled = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path source : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.equals(KEYS))
                    .toList()) {
                List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("\"barco.") || lines.get(i).contains("\"BARCO_")) {
                        spelled.add(SOURCES.relativize(source) + ":" + (i + 1) + ": "
                                + lines.get(i).trim());
                    }
                }
            }
        }
        assertThat(spelled).as("keys spelled outside BarcoKeys").isEmpty();
    }

    @Test
    void eachKeyIsDistinctAndHasAJavadocLine() throws Exception {
        String source = Files.readString(KEYS, StandardCharsets.UTF_8);
        Set<String> values = new HashSet<>();
        int keys = 0;
        for (Field field : BarcoKeys.class.getFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class) {
                continue;
            }
            keys++;
            String value = (String) field.get(null);
            assertThat(value).startsWith(value.startsWith("BARCO_") ? "BARCO_" : "barco.");
            assertThat(values.add(value) || field.getName().equals("ATTRIBUTE_PREFIX"))
                    .as("%s is distinct", field.getName())
                    .isTrue();
            int declared = source.indexOf("public static final String " + field.getName() + " = ");
            assertThat(declared).as("%s declared in %s", field.getName(), KEYS).isPositive();
            assertThat(source.substring(0, declared).stripTrailing())
                    .as("%s has a javadoc comment", field.getName())
                    .endsWith("*/");
        }
        assertThat(keys).isGreaterThan(10);
    }
}
