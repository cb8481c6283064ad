package io.barco.junit.buildjvm;

import io.barco.spec.Mount;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The host's classpath as the forked JVM sees it. The container's user is an unprivileged host uid,
 * so an entry below a directory only root may enter (such as /root/.m2 when building as root) is
 * bound into the container under /tmp/.barco-classpath as an idmapped mount, in which the host's
 * root-owned files belong to container root, and the classpath is rewritten to match; on a
 * filesystem without idmapped mounts (overlayfs in a Docker container) each such entry is bound
 * itself, plainly, readable as others may read it. A
 * manifest-only jar (Surefire's booter) is replaced by the entries it names. Entries below /tmp or
 * /run, which the container gets fresh, are bound in at their own paths.
 */
public record ForkedClasspath(
        String classpath,
        List<Mount> mounts,
        List<Path> hostEntries,
        int archivableJars,
        Map<Path, String> alsoVisible) {
    static final String MOUNT_BASE = "/tmp/.barco-classpath";

    /**
     * The forked classpaths one run worked out, by host classpath: each is computed once per run (it
     * reads every jar's and directory's names), and forgotten with the run.
     */
    public static final class Cache {
        private final Map<String, ForkedClasspath> forFork = new ConcurrentHashMap<>();

        /** {@link ForkedClasspath#forFork}, once per classpath and run. */
        public ForkedClasspath forFork(String hostClasspath, List<Path> alsoVisible) {
            return forFork.computeIfAbsent(
                    hostClasspath + "\0" + alsoVisible, key -> ForkedClasspath.forFork(hostClasspath, alsoVisible));
        }
    }

    /**
     * The classpath for a forked JVM. Class directories stay directories (a resource in one resolves
     * to a {@code file:} URL, as in a plain run). The JDK archives classes from jars only, and
     * accepts directories after the archived jars: so when no class or resource name in a directory
     * also exists in a jar (then order cannot matter), the jars come first and can be archived;
     * otherwise the order stays as it was, with no archive. Computed anew: see {@link Cache}.
     *
     * @param alsoVisible files the fork needs that are not on its classpath (java agents' jars):
     *     mapped like classpath entries, see {@link #alsoVisible()}
     */
    public static ForkedClasspath forFork(String hostClasspath, List<Path> alsoVisible) {
        List<Path> entries = expandAll(hostClasspath);
        List<Path> jars = entries.stream().filter(ForkedClasspath::isJar).toList();
        List<Path> rest = entries.stream().filter(e -> !isJar(e)).toList();
        if (jars.isEmpty() || ClasspathOverlap.anyShared(rest, jars)) {
            return of(entries, alsoVisible, SHADOWED, 0);
        }
        List<Path> reordered = new ArrayList<>(jars);
        reordered.addAll(rest);
        return of(reordered, alsoVisible, SHADOWED, jars.size());
    }

    /** The leading jars of the classpath that a class data archive may cover; empty when none may. */
    public String archivedJars() {
        if (archivableJars == 0) {
            return "";
        }
        return String.join(
                File.pathSeparator, List.of(classpath.split(File.pathSeparator)).subList(0, archivableJars));
    }

    private static boolean isJar(Path entry) {
        return entry.toString().endsWith(".jar") && Files.isRegularFile(entry);
    }

    static ForkedClasspath of(String hostClasspath) {
        return of(expandAll(hostClasspath), List.of(), SHADOWED, 0);
    }

    static ForkedClasspath of(String hostClasspath, List<Path> shadowedDirectories) {
        return of(expandAll(hostClasspath), List.of(), shadowedDirectories, 0);
    }

    private static List<Path> expandAll(String hostClasspath) {
        List<Path> entries = new ArrayList<>();
        for (String entry : hostClasspath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                expand(Path.of(entry).toAbsolutePath().normalize(), entries);
            }
        }
        return entries;
    }

    private static ForkedClasspath of(
            List<Path> classpathEntries, List<Path> alsoVisible, List<Path> shadowedDirectories, int archivableJars) {
        List<Path> entries = new ArrayList<>(classpathEntries);
        alsoVisible.forEach(p -> entries.add(p.toAbsolutePath().normalize()));
        Map<Path, String> bound = new LinkedHashMap<>(); // host directory -> where it is inside
        List<String> rewritten = new ArrayList<>();
        Map<Path, Mount> shadowMounts = new LinkedHashMap<>();
        Set<Path> plain = new java.util.HashSet<>();
        for (Path entry : entries) {
            Path shadowed = underShadowedDirectory(entry, shadowedDirectories);
            if (shadowed != null) {
                // a fresh tmpfs hides it inside: bind it in at its own path
                shadowMounts.computeIfAbsent(
                        shadowed,
                        s -> firstClosedAncestor(entry) != null
                                ? Mount.bindAsContainerRoot(s, s.toString())
                                : Mount.bind(s, s.toString(), true));
                rewritten.add(entry.toString());
                continue;
            }
            Path closed = firstClosedAncestor(entry);
            if (closed == null) {
                rewritten.add(entry.toString());
                continue;
            }
            if (!idmappable(entry)) {
                // no idmapped mount on its filesystem (overlayfs, as in a Docker container; 9p; NFS): the
                // closed directory's child would show its own modes to the container's user as to anyone
                // (/root/.m2 is 0750), so the entry itself is bound, plainly, readable as others may read it
                String target =
                        bound.computeIfAbsent(entry, s -> MOUNT_BASE + "/" + bound.size() + "-" + s.getFileName());
                plain.add(entry);
                rewritten.add(target);
                continue;
            }
            // bind the child of the closed directory that leads to the entry
            Path source = closed.resolve(closed.relativize(entry).getName(0));
            String target = bound.computeIfAbsent(source, s -> MOUNT_BASE + "/" + bound.size() + "-" + s.getFileName());
            rewritten.add(target + "/" + source.relativize(entry));
        }
        List<Mount> mounts = new ArrayList<>(shadowMounts.values());
        bound.forEach((source, target) -> mounts.add(
                plain.contains(source) ? Mount.bind(source, target, true) : Mount.bindAsContainerRoot(source, target)));
        Map<Path, String> extras = new LinkedHashMap<>();
        for (int i = classpathEntries.size(); i < entries.size(); i++) {
            extras.put(alsoVisible.get(i - classpathEntries.size()), rewritten.get(i));
        }
        return new ForkedClasspath(
                String.join(File.pathSeparator, rewritten.subList(0, classpathEntries.size())),
                mounts,
                List.copyOf(classpathEntries),
                archivableJars,
                extras);
    }

    private static void expand(Path entry, List<Path> into) {
        if (entry.toString().endsWith(".jar") && Files.isRegularFile(entry)) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                Manifest manifest = jar.getManifest();
                String classPath =
                        manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                boolean manifestOnly = classPath != null
                        && jar.stream().noneMatch(e -> e.getName().endsWith(".class"));
                if (manifestOnly) {
                    for (String url : classPath.trim().split("\\s+")) {
                        Path named = url.startsWith("file:") ? Path.of(URI.create(url)) : entry.resolveSibling(url);
                        into.add(named.toAbsolutePath().normalize());
                    }
                    return;
                }
            } catch (IOException | IllegalArgumentException e) {
                // not a readable jar: pass it on as it is
            }
        }
        into.add(entry);
    }

    /** Directories the container gets fresh: what lies below them on the host must be bound in. */
    static final List<Path> SHADOWED = List.of(Path.of("/tmp"), Path.of("/run"));

    /** The child of a shadowed directory that leads to {@code entry} (e.g. /tmp/build), or null. */
    static Path underShadowedDirectory(Path entry, List<Path> shadowedDirectories) {
        for (Path shadowed : shadowedDirectories) {
            if (entry.startsWith(shadowed) && !entry.equals(shadowed)) {
                return shadowed.resolve(shadowed.relativize(entry).getName(0));
            }
        }
        return null;
    }

    /** Whether Linux makes idmapped mounts of the filesystem {@code path} is on (unknown: as if not, so a plain bind is tried). */
    static boolean idmappable(Path path) {
        String type;
        try {
            type = Files.getFileStore(path).type();
        } catch (IOException e) {
            return false;
        }
        return Mount.idmappable(type, System.getProperty("os.version"));
    }

    /** The outermost ancestor directory that others may not enter, or null when the path is reachable. */
    static Path firstClosedAncestor(Path entry) {
        Path current = entry.getRoot();
        for (Path part : entry.getParent() == null ? List.<Path>of() : entry.getParent()) {
            current = current.resolve(part);
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(current);
                if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return current;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
        }
        return null;
    }
}
