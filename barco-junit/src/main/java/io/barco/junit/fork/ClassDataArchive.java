package io.barco.junit.fork;

import io.barco.BarcoRuntime;
import io.barco.junit.buildjvm.BarcoCache;
import io.barco.junit.buildjvm.ForkedClasspath;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Mount;
import io.barco.spec.Size;
import io.barco.spec.Stdio;
import io.barco.sys.UntrustedFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A static AppCDS archive of the JDK's own startup classes and of the classes a forked test JVM needs
 * from its jars, per JDK and jar classpath (paths, sizes and times of the jars). Test JVMs map it
 * instead of the JDK's default archive and start faster.
 *
 * <p>Why static: a dynamic archive ({@code -XX:ArchiveClassesAtExit}) is written by a JVM running a main
 * class, which had to come from a jar of its own on the boot class path (so that the archive's
 * classpath was the jars alone); JDK 25 then refuses the archive to every JVM without that jar on its
 * boot class path ("boot classpath has fewer elements than expected", four lines on the test's stderr,
 * and a start without it). A static dump ({@code -Xshare:dump}) takes a list of class names and runs no
 * main at all, so a fork's command line is the build's with {@code -XX:SharedArchiveFile} alone.
 *
 * <p>Safety: an archive is code that every later test JVM maps, so no test may write it. It is
 * written by a JVM of its own, in a container of its own, that loads the listed classes without
 * initializing any; the host copies it out as untrusted data (no link followed, size-capped) into the
 * user's cache with its SHA-256 beside it, and verifies that digest before a fork maps it (once per
 * file and run). The JDK itself checks the archive against the classpath, and the class directories
 * come after the jars, which it allows ({@link ForkedClasspath#archivedJars}).
 */
final class ClassDataArchive {
    private static final String INSIDE = "/tmp/.barco-cds/app.jsa";
    private static final String CLASS_LIST_INSIDE = "/tmp/.barco-cds/classes.list";
    private static final String DUMP_NAME = "app.jsa";
    /** What the archive is: a change makes new keys, so an archive of another kind is never mapped. */
    private static final String FORMAT = "static-1";
    /** Far above an archive of the JDK's startup classes, the JUnit platform and barco (a few tens of MB). */
    private static final long MAX_ARCHIVE_BYTES = 1L << 30;
    /** The largest heap limit under which a JVM keeps compressed oops, with room to spare below 32 GB. */
    private static final long MAX_COMPRESSED_HEAP = 31L << 30;
    /** The jars' classes that are archived: those every forked test JVM needs before any test code. */
    private static final List<String> PREFIXES =
            List.of("org/junit/", "org/opentest4j/", "org/apiguardian/", "io/barco/");

    /**
     * What one run learnt of the archives: those whose digest it checked, by path, with the size and
     * time each had then; one dump per key at a time; a failed one is not retried in the run.
     * Dumps run in containers of the run's runtime.
     */
    static final class Checks {
        private final BarcoRuntime runtime;
        private final Map<Path, String> verified = new ConcurrentHashMap<>();
        private final Map<String, Object> dumping = new ConcurrentHashMap<>();
        private final Set<String> failed = ConcurrentHashMap.newKeySet();

        Checks(BarcoRuntime runtime) {
            this.runtime = runtime;
        }
    }

    private final List<Mount> mounts;
    private final List<String> options;

    private ClassDataArchive(List<Mount> mounts, List<String> options) {
        this.mounts = mounts;
        this.options = options;
    }

    static ClassDataArchive none() {
        return new ClassDataArchive(List.of(), List.of());
    }

    /**
     * The archive for this classpath: the cached one once its digest checks, else, with {@code write},
     * one dumped now in a container; none when the classpath allows none, or the dump failed.
     */
    static ClassDataArchive forClasspath(Checks checks, ForkedClasspath classpath, boolean write) throws IOException {
        String jars = classpath.archivedJars();
        if (jars.isEmpty() || "false".equals(System.getProperty(BarcoKeys.CLASS_DATA_SHARING))) {
            return none();
        }
        String key = key(jars, classpath.hostEntries());
        Path cached = BarcoCache.directory("cds").resolve(key + ".jsa");
        if (!verified(checks, cached) && write) {
            synchronized (checks.dumping.computeIfAbsent(key, k -> new Object())) {
                if (!verified(checks, cached)
                        && !checks.failed.contains(key)
                        && !dumpInto(checks.runtime, cached, classpath)) {
                    checks.failed.add(key);
                }
            }
        }
        if (!verified(checks, cached)) {
            return none();
        }
        return new ClassDataArchive(
                List.of(Mount.bind(cached, INSIDE, true)), List.of("-XX:SharedArchiveFile=" + INSIDE));
    }

    List<String> jvmOptions() {
        return options;
    }

    /**
     * Whether a JVM started with these options can map the archive, which is dumped with compressed
     * oops and class pointers (the JDK's default below a 32 GB heap): a JVM without them refuses it,
     * and JDK 25 says so on the test's stderr. Turned off by an option, or by a heap limit above 31
     * GB (the JDK stops compressing a little below 32 GB); a default heap is a quarter of the
     * container's memory at most, and within the limit on any machine with less than 128 GB.
     */
    static boolean mappableWith(List<String> jvmOptions) {
        boolean oops = true;
        boolean classPointers = true;
        long heap = 0;
        for (String option : jvmOptions) {
            // the last word wins, as in the JVM
            switch (option) {
                case "-XX:-UseCompressedOops" -> oops = false;
                case "-XX:+UseCompressedOops" -> oops = true;
                case "-XX:-UseCompressedClassPointers" -> classPointers = false;
                case "-XX:+UseCompressedClassPointers" -> classPointers = true;
                default -> {
                    if (option.startsWith("-Xmx") || option.startsWith("-XX:MaxHeapSize=")) {
                        String size = option.startsWith("-Xmx")
                                ? option.substring("-Xmx".length())
                                : option.substring("-XX:MaxHeapSize=".length());
                        try {
                            heap = Size.parse(size);
                        } catch (InvalidSpecException e) {
                            // not a size: the JVM refuses the option itself, and says why
                        }
                    }
                }
            }
        }
        return oops && classPointers && heap <= MAX_COMPRESSED_HEAP;
    }

    List<Mount> mounts() {
        return mounts;
    }

    private static String key(String insideJars, List<Path> hostEntries) throws IOException {
        MessageDigest digest = sha256();
        digest.update((FORMAT + "\n" + System.getProperty("java.home") + "\n" + Runtime.version() + "\n" + insideJars)
                .getBytes(StandardCharsets.UTF_8));
        for (Path entry : hostEntries) {
            if (Files.isRegularFile(entry)) {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                digest.update((File.pathSeparator + attributes.size() + "/"
                                + attributes.lastModifiedTime().toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 24);
    }

    /**
     * Whether the archive exists and matches the digest recorded when it was written. The digest file
     * also records the archive's size, modification time and inode as they were once published: while
     * they are unchanged, the archive is the one hashed then, and a JVM need not hash 20 MB again
     * (that cost a build forking a JVM per class 80 ms per JVM). Only this user can change either
     * file, and it could as well change the launch helper in the same cache.
     */
    static boolean verified(Checks checks, Path archive) throws IOException {
        Path digestFile = digestFile(archive);
        if (!Files.isRegularFile(archive) || !Files.isRegularFile(digestFile)) {
            return false;
        }
        String stamp = stamp(archive);
        if (stamp.equals(checks.verified.get(archive))) {
            return true;
        }
        String[] recorded =
                Files.readString(digestFile, StandardCharsets.US_ASCII).trim().split(" ", 2);
        if (recorded.length == 2 && recorded[1].equals(stamp)) {
            checks.verified.put(archive, stamp);
            return true;
        }
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(archive);
                OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            in.transferTo(sink);
        }
        if (!HexFormat.of().formatHex(digest.digest()).equals(recorded[0])) {
            return false;
        }
        checks.verified.put(archive, stamp);
        return true;
    }

    static String stamp(Path archive) throws IOException {
        BasicFileAttributes attributes =
                Files.readAttributes(archive, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return attributes.size() + "/" + attributes.lastModifiedTime().toMillis() + "/" + attributes.fileKey();
    }

    private static Path digestFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".sha256");
    }

    /**
     * Dumps the archive in a container with the forks' jar classpath and mounts, and copies it, with its
     * digest, into the cache. False when none was written (this JDK has no class list of its own, or
     * cannot dump one).
     */
    private static boolean dumpInto(BarcoRuntime runtime, Path cached, ForkedClasspath classpath) throws IOException {
        Path jdkClassList = Path.of(System.getProperty("java.home"), "lib", "classlist");
        if (!Files.isRegularFile(jdkClassList)) {
            return false; // without the JDK's own startup classes, an archive would start a JVM slower than none
        }
        Path resultDir = ResultDirectory.create();
        Path classList = Files.createTempFile(cached.getParent(), "classes", ".list");
        try {
            writeClassList(classList, jdkClassList, classpath);
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ContainerSpec.Builder builder = InBarcoSettings.defaults()
                    .spec(java)
                    .args(List.of(
                            "-Xshare:dump",
                            "-XX:SharedClassListFile=" + CLASS_LIST_INSIDE,
                            "-XX:SharedArchiveFile=" + ForkedJvm.RESULT_DIR + "/" + DUMP_NAME,
                            // JDK 17 archives its heap objects (interned strings, the module graph) with G1 only
                            "-XX:+UseG1GC",
                            "-Xlog:disable",
                            "-cp",
                            classpath.archivedJars()))
                    .stdin(Stdio.DISCARD)
                    .stdout(Stdio.PIPE)
                    .stderr(Stdio.PIPE)
                    .env("HOME", "/tmp")
                    .mount(Mount.bind(resultDir, ForkedJvm.RESULT_DIR, false))
                    .mount(Mount.bind(classList, CLASS_LIST_INSIDE, true));
            classpath.mounts().forEach(builder::mount);
            ContainerSpec spec = builder.build();
            ResultDirectory.ownBy(resultDir, spec);
            ContainerResult result = runtime.run(spec);
            Path dumped = resultDir.resolve(DUMP_NAME);
            if (!result.succeeded() || !Files.exists(dumped)) {
                return false;
            }
            Path temp = Files.createTempFile(cached.getParent(), "app", ".part");
            try {
                MessageDigest digest = sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
                    UntrustedFiles.copy(dumped, out, MAX_ARCHIVE_BYTES);
                }
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
                // the digest first: an archive is only ever used beside its digest
                Path digestTemp = Files.createTempFile(cached.getParent(), "sha", ".part");
                // the stamp is the archive's as published: a rename keeps its size, time and inode
                Files.writeString(
                        digestTemp,
                        HexFormat.of().formatHex(digest.digest()) + " " + stamp(temp) + "\n",
                        StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(digestTemp, PosixFilePermissions.fromString("rw-r--r--"));
                BarcoCache.publish(digestTemp, digestFile(cached));
                BarcoCache.publish(temp, cached);
                removeOldArchives(cached.getParent());
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            return false; // no archive: the forks start without one, and meet any launch error themselves
        } finally {
            Files.deleteIfExists(classList);
            UntrustedFiles.deleteTree(resultDir);
        }
    }

    /**
     * The classes to archive, one binary name a line: the JDK's own list (what its default archive
     * holds, so a JVM loses nothing by mapping this one instead), then every class of the archived
     * jars below {@link #PREFIXES}. Names are read from the jars' central directories, on the host:
     * they are the build's own files; the container loads the classes, and a name that does not load
     * is only left out of the archive.
     */
    private static void writeClassList(Path list, Path jdkClassList, ForkedClasspath classpath) throws IOException {
        try (java.io.BufferedWriter out = Files.newBufferedWriter(list, StandardCharsets.UTF_8)) {
            out.write(Files.readString(jdkClassList, StandardCharsets.UTF_8));
            out.write("\n");
            for (Path jar : classpath.hostEntries().subList(0, classpath.archivableJars())) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                        String name = entries.nextElement().getName();
                        // module-info and package-info are not classes to name
                        if (name.endsWith(".class") && !name.contains("-") && startsWithAny(name)) {
                            out.write(name, 0, name.length() - ".class".length());
                            out.write("\n");
                        }
                    }
                }
            }
        }
        Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static boolean startsWithAny(String name) {
        return PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** Every change of a jar makes a new archive: the cache keeps the newest ones. */
    private static final int ARCHIVES_KEPT = 8;

    private static void removeOldArchives(Path cache) {
        try (java.util.stream.Stream<Path> files = Files.list(cache)) {
            List<Path> all = files.toList();
            for (Path trainer : all) {
                // the jars of the trainer that wrote dynamic archives, before they were static
                if (trainer.getFileName().toString().matches("trainer-\\p{XDigit}+\\.jar")) {
                    Files.deleteIfExists(trainer);
                }
            }
            List<Path> archives = all.stream()
                    .filter(p -> p.getFileName().toString().endsWith(".jsa"))
                    .sorted(java.util.Comparator.comparing(
                                    (Path p) -> p.toFile().lastModified())
                            .reversed())
                    .toList();
            for (Path old : archives.subList(Math.min(ARCHIVES_KEPT, archives.size()), archives.size())) {
                // a fork may map one still: the file goes when it is unmapped; its digest first, so none is used
                // half-removed
                Files.deleteIfExists(digestFile(old));
                Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            // the next archive written tries again
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
