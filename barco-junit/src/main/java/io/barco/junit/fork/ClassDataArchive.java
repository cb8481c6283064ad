package io.barco.junit.fork;

import io.barco.BarcoRuntime;
import io.barco.junit.buildjvm.BarcoCache;
import io.barco.junit.buildjvm.ForkedClasspath;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Mount;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * A dynamic AppCDS archive of the classes a forked test JVM needs from its jars, per JDK and jar
 * classpath (paths, sizes and times of the jars). Test JVMs map it and start faster.
 *
 * <p>Safety: an archive is code that every later test JVM maps, so no test may write it. It is
 * written by a JVM of its own, in a container of its own, that loads the classes without running any
 * ({@link ClassDataTrainer}); the host copies it out as untrusted data (no link followed, size-capped)
 * into the user's cache with its SHA-256 beside it, and verifies that digest before a fork maps it
 * (once per file and run). The JDK itself checks the archive against the classpath, and the class
 * directories come after the jars, which it allows ({@link ForkedClasspath#archivedJars}).
 */
final class ClassDataArchive {
    private static final String INSIDE = "/tmp/.barco-cds/app.jsa";
    private static final String TRAINER_INSIDE = "/tmp/.barco-cds/trainer.jar";
    private static final String DUMP_NAME = "app.jsa";
    /** Far above an archive of the JUnit platform and barco (a few tens of MB). */
    private static final long MAX_ARCHIVE_BYTES = 1L << 30;
    /** What the trainer loads: the classes every forked test JVM needs before any test code. */
    private static final List<String> PREFIXES =
            List.of("org/junit/", "org/opentest4j/", "org/apiguardian/", "io/barco/");

    /**
     * What one run learnt of the archives: those whose digest it checked, by path, with the size and
     * time each had then; one training per key at a time; a failed one is not retried in the run.
     * Trainings run in containers of the run's runtime.
     */
    static final class Checks {
        private final BarcoRuntime runtime;
        private final Map<Path, String> verified = new ConcurrentHashMap<>();
        private final Map<String, Object> training = new ConcurrentHashMap<>();
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
     * The archive for this classpath: the cached one once its digest checks, else, with {@code train},
     * one written now by a trainer container; none when the classpath allows none, or training failed.
     */
    static ClassDataArchive forClasspath(Checks checks, ForkedClasspath classpath, boolean train) throws IOException {
        String jars = classpath.archivedJars();
        if (jars.isEmpty() || "false".equals(System.getProperty(BarcoKeys.CLASS_DATA_SHARING))) {
            return none();
        }
        String key = key(jars, classpath.hostEntries());
        Path cached = BarcoCache.directory("cds").resolve(key + ".jsa");
        if (!verified(checks, cached) && train) {
            synchronized (checks.training.computeIfAbsent(key, k -> new Object())) {
                if (!verified(checks, cached)
                        && !checks.failed.contains(key)
                        && !trainInto(checks.runtime, cached, classpath)) {
                    checks.failed.add(key);
                }
            }
        }
        if (!verified(checks, cached)) {
            return none();
        }
        // the JDK wants every path of the archive's boot class path to exist, though it is not used
        return new ClassDataArchive(
                List.of(Mount.bind(cached, INSIDE, true), Mount.bind(trainerJar(), TRAINER_INSIDE, true)),
                List.of("-XX:SharedArchiveFile=" + INSIDE));
    }

    List<String> jvmOptions() {
        return options;
    }

    List<Mount> mounts() {
        return mounts;
    }

    private static String key(String insideJars, List<Path> hostEntries) throws IOException {
        MessageDigest digest = sha256();
        digest.update((System.getProperty("java.home") + "\n" + Runtime.version() + "\n" + insideJars)
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
     * Runs the trainer in a container with the forks' jar classpath and mounts; copies the archive it
     * wrote, with its digest, into the cache. False when it wrote none (this JDK cannot, say).
     */
    private static boolean trainInto(BarcoRuntime runtime, Path cached, ForkedClasspath classpath) throws IOException {
        Path resultDir = ResultDirectory.create();
        try {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ContainerSpec.Builder builder = InBarcoSettings.defaults()
                    .spec(java)
                    .args(List.of(
                            "-XX:ArchiveClassesAtExit=" + ForkedJvm.RESULT_DIR + "/" + DUMP_NAME,
                            "-Xlog:cds=off,cds+dynamic=off",
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-Xshare:auto",
                            "-Xbootclasspath/a:" + TRAINER_INSIDE,
                            "-cp",
                            classpath.archivedJars(),
                            ClassDataTrainer.class.getName()))
                    .stdin(Stdio.DISCARD)
                    .stdout(Stdio.PIPE)
                    .stderr(Stdio.PIPE)
                    .env("HOME", "/tmp")
                    .mount(Mount.bind(resultDir, ForkedJvm.RESULT_DIR, false))
                    .mount(Mount.bind(trainerJar(), TRAINER_INSIDE, true));
            builder.args(append(builder.build().args(), PREFIXES));
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
            UntrustedFiles.deleteTree(resultDir);
        }
    }

    /** Every change of a jar makes a new archive: the cache keeps the newest ones. */
    private static final int ARCHIVES_KEPT = 8;

    private static void removeOldArchives(Path cache) {
        try (java.util.stream.Stream<Path> files = Files.list(cache)) {
            List<Path> archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa"))
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

    private static List<String> append(List<String> list, List<String> more) {
        List<String> all = new java.util.ArrayList<>(list);
        all.addAll(more);
        return all;
    }

    /** {@link ClassDataTrainer} alone in a jar, made from this JVM's own class file, named by its content. */
    private static Path trainerJar() throws IOException {
        String resource = ClassDataTrainer.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = ClassDataArchive.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("cannot read " + resource + " from barco-junit");
            }
            bytes = in.readAllBytes();
        }
        Path cache = BarcoCache.directory("cds");
        Path jar = cache.resolve(
                "trainer-" + HexFormat.of().formatHex(sha256().digest(bytes)).substring(0, 20) + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path temp = Files.createTempFile(cache, "trainer", ".part");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(temp))) {
            out.putNextEntry(new JarEntry(resource));
            out.write(bytes);
            out.closeEntry();
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        BarcoCache.publish(temp, jar);
        return jar;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
