package io.barco.junit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Class directories (target/classes, target/test-classes) packed into jars for the forked JVM: the
 * JDK's class data sharing archives classes from jars only. Each directory is packed once per JVM
 * into the user's cache, named by its content, so an unchanged directory keeps its jar (and the
 * archive built on it) from run to run.
 */
final class ClassDirectoryJars {
    private static final Map<Path, Path> PACKED = new ConcurrentHashMap<>();

    private ClassDirectoryJars() {
    }

    static Path jarOf(Path directory) {
        return PACKED.computeIfAbsent(directory, ClassDirectoryJars::pack);
    }

    private static Path pack(Path directory) {
        try {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(directory)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(directory.toString().getBytes(StandardCharsets.UTF_8));
            for (Path file : files) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                digest.update((directory.relativize(file) + "\n" + attributes.size() + "\n"
                        + attributes.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Path cache = BarcoCache.directory("classes");
            Path jar = cache.resolve(directory.getFileName() + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, 20) + ".jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            Path temp = Files.createTempFile(cache, "pack", ".part");
            try (OutputStream out = Files.newOutputStream(temp); JarOutputStream jarOut = new JarOutputStream(out)) {
                for (Path file : files) {
                    JarEntry entry = new JarEntry(directory.relativize(file).toString().replace('\\', '/'));
                    entry.setTime(Files.getLastModifiedTime(file).toMillis());
                    jarOut.putNextEntry(entry);
                    Files.copy(file, jarOut);
                    jarOut.closeEntry();
                }
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            BarcoCache.publish(temp, jar);
            return jar;
        } catch (IOException | NoSuchAlgorithmException e) {
            return directory; // unpacked: the forked JVM still runs, only without class data sharing
        }
    }
}
