package io.barco.junit;

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
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The host's classpath as the forked JVM sees it. The container's user is an unprivileged host uid,
 * so an entry below a directory only root may enter (such as /root/.m2 when building as root) is
 * bound into the container under /tmp/.barco-classpath as an idmapped mount, in which the host's
 * root-owned files belong to container root, and the classpath is rewritten to match. A
 * manifest-only jar (Surefire's booter) is replaced by the entries it names. Entries below /tmp or
 * /run, which the container gets fresh, are bound in at their own paths.
 */
record ForkedClasspath(String classpath, List<Mount> mounts, List<Path> hostEntries) {
    static final String MOUNT_BASE = "/tmp/.barco-classpath";

    /** The classpath for a forked JVM, its class directories packed into jars for class data sharing. */
    static ForkedClasspath forFork(String hostClasspath) {
        return of(hostClasspath, SHADOWED, true);
    }

    static ForkedClasspath of(String hostClasspath) {
        return of(hostClasspath, SHADOWED, false);
    }

    static ForkedClasspath of(String hostClasspath, List<Path> shadowedDirectories) {
        return of(hostClasspath, shadowedDirectories, false);
    }

    static ForkedClasspath of(String hostClasspath, List<Path> shadowedDirectories, boolean packDirectories) {
        List<Path> entries = new ArrayList<>();
        for (String entry : hostClasspath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                expand(Path.of(entry).toAbsolutePath().normalize(), entries);
            }
        }
        if (packDirectories) {
            entries.replaceAll(entry -> Files.isDirectory(entry) ? ClassDirectoryJars.jarOf(entry) : entry);
        }
        Map<Path, String> bound = new LinkedHashMap<>(); // host directory -> where it is inside
        List<String> rewritten = new ArrayList<>();
        Map<Path, Mount> shadowMounts = new LinkedHashMap<>();
        for (Path entry : entries) {
            Path shadowed = underShadowedDirectory(entry, shadowedDirectories);
            if (shadowed != null) {
                // a fresh tmpfs hides it inside: bind it in at its own path
                shadowMounts.computeIfAbsent(shadowed, s -> firstClosedAncestor(entry) != null
                        ? Mount.bindAsContainerRoot(s, s.toString()) : Mount.bind(s, s.toString(), true));
                rewritten.add(entry.toString());
                continue;
            }
            Path closed = firstClosedAncestor(entry);
            if (closed == null) {
                rewritten.add(entry.toString());
                continue;
            }
            // bind the child of the closed directory that leads to the entry
            Path source = closed.resolve(closed.relativize(entry).getName(0));
            String target = bound.computeIfAbsent(source, s -> MOUNT_BASE + "/" + bound.size() + "-" + s.getFileName());
            rewritten.add(target + "/" + source.relativize(entry));
        }
        List<Mount> mounts = new ArrayList<>(shadowMounts.values());
        bound.forEach((source, target) -> mounts.add(Mount.bindAsContainerRoot(source, target)));
        return new ForkedClasspath(String.join(File.pathSeparator, rewritten), mounts, List.copyOf(entries));
    }

    private static void expand(Path entry, List<Path> into) {
        if (entry.toString().endsWith(".jar") && Files.isRegularFile(entry)) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                boolean manifestOnly = classPath != null && jar.stream().noneMatch(e -> e.getName().endsWith(".class"));
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
