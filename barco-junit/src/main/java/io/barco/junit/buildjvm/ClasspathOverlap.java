package io.barco.junit.buildjvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Whether a name (a class or a resource) lies both in a class directory and in a jar of a classpath:
 * then moving the directories after the jars would change which one a class loader finds first.
 */
final class ClasspathOverlap {
    private ClasspathOverlap() {}

    static boolean anyShared(List<Path> directories, List<Path> jars) {
        Set<String> names = new HashSet<>();
        for (Path directory : directories) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(directory)) {
                walk.filter(Files::isRegularFile)
                        .forEach(f ->
                                names.add(directory.relativize(f).toString().replace('\\', '/')));
            } catch (IOException | UncheckedIOException e) {
                return true; // unknown: keep the order as it was
            }
        }
        if (names.isEmpty()) {
            return false;
        }
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                for (Enumeration<? extends java.util.zip.ZipEntry> entries = file.entries();
                        entries.hasMoreElements(); ) {
                    if (names.contains(entries.nextElement().getName())) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }
}
