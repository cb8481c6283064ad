package io.barco.cgroup;

import io.barco.sys.Host;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup layout of this host, as /proc/self/mountinfo and /proc/self/cgroup show it: a unified
 * cgroup v2 hierarchy with controllers (Debian 12/13, Fedora, the Vagrant VM), or controllers in
 * cgroup v1 hierarchies (hybrid and legacy hosts, such as this project's CI machine).
 */
record CgroupHost(Optional<Path> unified, Set<String> unifiedControllers, Map<String, V1Hierarchy> v1) {

    /** A v1 hierarchy: where it is mounted, the controllers it carries, and our own group in it. */
    record V1Hierarchy(Path mountPoint, String controllers, Path ownGroup) {
        /** The directory of our own group in this hierarchy. */
        Path ownDirectory() {
            return mountPoint.resolve(ownGroup.toString().substring(1));
        }
    }

    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "blkio", "freezer");
    /** Hierarchies shown inside without a group of the container's own: a JVM inside requires cpuset. */
    static final List<String> SHOWN_ONLY = List.of("cpuset");

    boolean usesV2() {
        return unified.isPresent()
                && (unifiedControllers.contains("memory")
                        || unifiedControllers.contains("pids")
                        || unifiedControllers.contains("cpu"));
    }

    /** The layout the host's /proc shows. */
    static CgroupHost probe(Host on) {
        Path self = on.proc().resolve("self");
        CgroupHost host;
        try {
            host = parse(on.read(self.resolve("mountinfo")), on.read(self.resolve("cgroup")));
        } catch (IOException e) {
            throw new CgroupException(
                    "cannot read " + self.resolve("mountinfo") + " or " + self.resolve("cgroup") + ": "
                            + CgroupFiles.reason(e),
                    e);
        }
        if (host.unified().isEmpty()) {
            return host;
        }
        try {
            String controllers =
                    on.read(host.unified().get().resolve("cgroup.controllers")).trim();
            return new CgroupHost(
                    host.unified(), controllers.isEmpty() ? Set.of() : Set.of(controllers.split("\\s+")), host.v1());
        } catch (IOException e) {
            return host;
        }
    }

    /** The layout the two files describe; the v2 controllers are left for {@link #probe} to read. */
    static CgroupHost parse(String mountinfo, String procCgroup) {
        Map<String, String> ownGroups = new LinkedHashMap<>(); // "memory" or "" (v2) -> path
        for (String line : procCgroup.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                ownGroups.put(parts[1], parts[2]);
            }
        }
        Optional<Path> unified = Optional.empty();
        Map<String, V1Hierarchy> v1 = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) {
                continue;
            }
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String root = left[3];
            Path mountPoint = Path.of(unescape(left[4]));
            if (right[0].equals("cgroup2") && root.equals("/") && unified.isEmpty()) {
                unified = Optional.of(mountPoint);
            } else if (right[0].equals("cgroup")) {
                List<String> controllers = new ArrayList<>();
                for (String option : right[2].split(",")) {
                    if (CONTROLLERS.contains(option) || SHOWN_ONLY.contains(option)) {
                        controllers.add(option);
                    }
                }
                String key = String.join(",", controllers);
                String own = ownGroups.get(key);
                if (controllers.isEmpty() || own == null) {
                    continue;
                }
                // a mount of a subtree (inside a container) shows our group relative to its root
                String relative = root.equals("/") ? own : own.startsWith(root) ? own.substring(root.length()) : null;
                if (relative == null) {
                    continue;
                }
                V1Hierarchy hierarchy = new V1Hierarchy(mountPoint, key, Path.of(relative.isEmpty() ? "/" : relative));
                controllers.forEach(c -> v1.putIfAbsent(c, hierarchy));
            }
        }
        return new CgroupHost(unified, Set.of(), v1);
    }

    private static String unescape(String path) {
        return path.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\");
    }
}
