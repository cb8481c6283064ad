package io.barco.junit;

import io.barco.spec.Mount;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A dynamic AppCDS archive of what a forked test JVM loads, per JDK and classpath (paths, sizes and
 * times of its jars): the first fork writes it at exit, the next ones map it and start faster. The
 * JVM itself checks the archive against the classpath and ignores it when they differ.
 */
final class ClassDataArchive {
    private static final String INSIDE = "/tmp/.barco-cds/app.jsa";
    private static final String DUMP_NAME = "app.jsa";

    private final Path cached;
    private final Path dumped; // where a fresh archive appears on the host; null when one is used
    private final List<Mount> mounts;
    private final List<String> options;

    private ClassDataArchive(Path cached, Path dumped, List<Mount> mounts, List<String> options) {
        this.cached = cached;
        this.dumped = dumped;
        this.mounts = mounts;
        this.options = options;
    }

    /** None when a class path entry is a directory: the JDK archives classes from jars only. */
    static ClassDataArchive none() {
        return new ClassDataArchive(null, null, List.of(), List.of());
    }

    /**
     * @param hostJars the jars behind the classpath, on the host, for the key
     * @param resultDir the host directory bound writable at {@link ForkedJvm#RESULT_DIR}
     */
    static ClassDataArchive forClasspath(String insideClasspath, List<Path> hostJars, Path resultDir) throws IOException {
        Path cached = BarcoCache.directory("cds").resolve(key(insideClasspath, hostJars) + ".jsa");
        if (Files.isRegularFile(cached)) {
            return new ClassDataArchive(cached, null, List.of(Mount.bind(cached, INSIDE, true)),
                    List.of("-XX:SharedArchiveFile=" + INSIDE));
        }
        return new ClassDataArchive(cached, resultDir.resolve(DUMP_NAME), List.of(),
                List.of("-XX:ArchiveClassesAtExit=" + ForkedJvm.RESULT_DIR + "/" + DUMP_NAME, "-Xlog:cds=off,cds+dynamic=off"));
    }

    private static String key(String classpath, List<Path> jars) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + "\n" + Runtime.version() + "\n" + classpath).getBytes(StandardCharsets.UTF_8));
            for (Path jar : jars) {
                BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                digest.update((File.pathSeparator + attributes.size() + "/" + attributes.lastModifiedTime().toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this fork would write the archive rather than use it. */
    boolean wouldDump() {
        return dumped != null;
    }

    List<String> jvmOptions() {
        return options;
    }

    List<Mount> mounts() {
        return mounts;
    }

    /** After the fork: keep an archive it wrote for the next forks, unless one was kept meanwhile. */
    void keepIfDumped() {
        if (dumped == null || !Files.isRegularFile(dumped) || Files.exists(cached)) {
            return;
        }
        try {
            Path temp = Files.createTempFile(cached.getParent(), "app", ".part");
            Files.copy(dumped, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            BarcoCache.publish(temp, cached);
        } catch (IOException e) {
            // no archive this time: a later fork writes one
        }
    }
}
