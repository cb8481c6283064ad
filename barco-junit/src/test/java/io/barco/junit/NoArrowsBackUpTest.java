package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API package (what users import) depends on the internal subpackages, never the reverse: no
 * source below {@code io.barco.junit} names a class of {@code io.barco.junit} itself, by import or by
 * qualified name (a string holding one would be the same arrow, hidden). What a subpackage needs of
 * the API it gets handed ({@code settings.Declarations}).
 */
class NoArrowsBackUpTest {
    private static final Path SOURCES = Path.of("src/main/java/io/barco/junit");
    /** {@code io.barco.junit.} followed by a class name: the root package, not a subpackage. */
    private static final Pattern ROOT_CLASS = Pattern.compile("io\\.barco\\.junit\\.([A-Z]\\w*)");

    @Test
    void noSubpackageReferesToTheApiPackage() throws IOException {
        List<String> arrows = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            sources = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getParent().equals(SOURCES))
                    .toList();
        }
        assertThat(sources)
                .as("subpackage sources below %s", SOURCES.toAbsolutePath())
                .hasSizeGreaterThan(30);
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ROOT_CLASS.matcher(lines.get(i));
                while (m.find()) {
                    arrows.add(SOURCES.relativize(source) + ":" + (i + 1) + " " + m.group());
                }
            }
        }
        assertThat(arrows).as("references from subpackages to the API package").isEmpty();
    }

    @Test
    void theCheckSeesAnImportOfTheApiPackage() {
        assertThat(ROOT_CLASS.matcher("import io.barco.junit.InBarco;").find()).isTrue();
        assertThat(ROOT_CLASS.matcher("\"io.barco.junit.BarcoContainer\"").find())
                .isTrue();
        assertThat(ROOT_CLASS
                        .matcher("import io.barco.junit.settings.InBarcoSettings;")
                        .find())
                .isFalse();
    }
}
