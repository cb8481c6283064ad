package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Java deserialization of bytes a container wrote ran the container's gadgets in the host JVM, as
 * root. No class of barco, runtime or extension, may refer to ObjectInputStream again: this fails the
 * build if one does (found in the compiled classes, whatever the source looks like).
 */
class NoJavaDeserializationTest {
    private static final byte[] OBJECT_INPUT_STREAM = "java/io/ObjectInputStream".getBytes(StandardCharsets.UTF_8);

    @Test
    void noClassOfBarcoRefersToObjectInputStream() throws Exception {
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (Class<?> anchor : List.of(BarcoExtension.class, Barco.class)) {
            Path location = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (ClassFile file : classFiles(location)) {
                scanned++;
                if (contains(file.bytes(), OBJECT_INPUT_STREAM)) {
                    offenders.add(file.name());
                }
            }
        }
        assertThat(scanned).as("class files scanned").isGreaterThan(50);
        assertThat(offenders)
                .as("classes referring to java.io.ObjectInputStream")
                .isEmpty();
    }

    record ClassFile(String name, byte[] bytes) {}

    private static List<ClassFile> classFiles(Path location) throws IOException, URISyntaxException {
        List<ClassFile> files = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> walk = Files.walk(location)) {
                for (Path p : walk.filter(p -> p.toString().endsWith(".class")).toList()) {
                    files.add(new ClassFile(location.relativize(p).toString(), Files.readAllBytes(p)));
                }
            }
            return files;
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        files.add(new ClassFile(entry.getName(), in.readAllBytes()));
                    }
                }
            }
        }
        return files;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
