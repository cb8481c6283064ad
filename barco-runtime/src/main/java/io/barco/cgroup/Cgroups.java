package io.barco.cgroup;

import io.barco.spec.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates containers' cgroups with the driver this host needs: unified cgroup v2, or the cgroup v1
 * hierarchies of a hybrid or legacy host. A limit the host cannot enforce is an error naming the
 * missing controller, unless the caller allowed running without it.
 */
public final class Cgroups {
    /** The v2 parent group, below the hierarchy's root; BARCO_CGROUP_PARENT changes it. */
    public static final String DEFAULT_PARENT = "barco";

    private static volatile CgroupHost host;

    private Cgroups() {
    }

    static CgroupHost host() {
        CgroupHost h = host;
        if (h == null) {
            h = CgroupHost.probe();
            host = h;
        }
        return h;
    }

    /** Which driver this host gets: "cgroup v2 (/sys/fs/cgroup)" or "cgroup v1 (...)". */
    public static String driverName() {
        return driverName(host());
    }

    static String driverName(CgroupHost h) {
        if (h.usesV2()) {
            return "cgroup v2 (" + h.unified().orElseThrow() + ")";
        }
        return h.v1().isEmpty() ? "none" : "cgroup v1 (" + String.join(", ", h.v1().keySet().stream()
                .filter(CgroupHost.CONTROLLERS::contains).toList()) + ")";
    }

    public static String parentGroup() {
        String parent = System.getenv("BARCO_CGROUP_PARENT");
        return parent == null || parent.isBlank() ? DEFAULT_PARENT : parent;
    }

    /**
     * Creates and limits the groups for one container.
     *
     * @param allowMissingControllers run without a limit the host cannot enforce, instead of failing
     */
    public static ContainerCgroup create(Limits limits, boolean allowMissingControllers) {
        return create(host(), limits, allowMissingControllers);
    }

    static ContainerCgroup create(CgroupHost h, Limits limits, boolean allowMissingControllers) {
        Set<String> available = h.usesV2() ? h.unifiedControllers() : h.v1().keySet();
        if (!h.usesV2() && h.v1().keySet().stream().noneMatch(CgroupHost.CONTROLLERS::contains)) {
            available = Set.of();
        }
        List<String> missing = new ArrayList<>();
        Limits effective = limits;
        if (limits.memoryLimit().isPresent() && !available.contains("memory")) {
            missing.add("memory");
            effective = new Limits(null, null, effective.cpuWeight(), effective.cpus(), effective.pids());
        }
        if ((limits.cpuWeightLimit().isPresent() || limits.cpusLimit().isPresent()) && !available.contains("cpu")) {
            missing.add("cpu");
            effective = new Limits(effective.memory(), effective.memorySwap(), null, null, effective.pids());
        }
        if (limits.pidsLimit().isPresent() && !available.contains("pids")) {
            missing.add("pids");
            effective = new Limits(effective.memory(), effective.memorySwap(), effective.cpuWeight(), effective.cpus(), null);
        }
        if (!missing.isEmpty() && !allowMissingControllers) {
            throw new CgroupException("this host cannot enforce the " + String.join(", ", missing) + " limit"
                    + (missing.size() > 1 ? "s" : "") + ": no " + String.join(", ", missing) + " controller in "
                    + driverName(h) + " (allow running without it, e.g. barco --allow-missing-controllers)");
        }
        collectGarbageOnce();
        String name = CgroupNames.next();
        if (h.usesV2()) {
            return CgroupV2.create(h.unified().orElseThrow(), h.unifiedControllers(), parentGroup(), name, effective);
        }
        if (!h.v1().isEmpty()) {
            return CgroupV1.create(h.v1(), name, effective);
        }
        throw new CgroupException("no cgroup hierarchy with memory, cpu or pids is mounted on this host");
    }

    /**
     * A handle on a running container's groups that another JVM created (a named container of the
     * CLI), from their {@link ContainerCgroup#directories()}: it creates groups below them for the
     * commands this JVM runs there, and leaves the container's own groups to their owner. Every
     * directory must be a barco container group inside a cgroup hierarchy of this host.
     */
    public static ContainerCgroup existing(java.util.Map<String, Path> directories) {
        CgroupHost h = host();
        for (Map.Entry<String, Path> entry : directories.entrySet()) {
            Path dir = entry.getValue().normalize();
            boolean inHierarchy = entry.getKey().isEmpty()
                    ? h.unified().map(root -> dir.startsWith(root.resolve(parentGroup()))).orElse(false)
                    : h.v1().containsKey(entry.getKey()) && dir.startsWith(h.v1().get(entry.getKey()).mountPoint());
            if (!inHierarchy || !CgroupNames.isBarcoGroup(dir.getFileName().toString()) || !Files.isDirectory(dir)) {
                throw new CgroupException("not a barco container group of this host: " + entry.getKey() + " " + dir);
            }
        }
        if (directories.size() == 1 && directories.containsKey("")) {
            return CgroupV2.existing(directories.get(""));
        }
        return CgroupV1.existing(directories);
    }

    /**
     * Removes the v2 parent group if no container group is left in it, so nothing named after barco
     * outlives a run. Harmless when another JVM still uses it: a non-empty group cannot be removed.
     */
    public static void removeParentIfUnused() {
        CgroupHost h = host;
        if (h == null || !h.usesV2()) {
            return;
        }
        try {
            Files.delete(h.unified().orElseThrow().resolve(parentGroup()));
        } catch (IOException e) {
            // in use, or already gone
        }
    }

    private static volatile boolean collected;
    private static final java.util.concurrent.atomic.AtomicBoolean COLLECTION_FAILURE_LOGGED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Collects dead launchers' groups at this JVM's first launch. Best effort: what it cannot collect
     * is logged once per JVM and left for `barco gc`; it never fails the launch that triggered it.
     */
    private static void collectGarbageOnce() {
        if (collected) {
            return;
        }
        collected = true;
        List<String> failures;
        try {
            failures = DeadLaunchers.collect(garbageParents(host())).failures();
        } catch (RuntimeException e) {
            failures = List.of(String.valueOf(e.getMessage()));
        }
        if (!failures.isEmpty() && COLLECTION_FAILURE_LOGGED.compareAndSet(false, true)) {
            System.err.println("barco: could not collect the cgroups of launchers that died (" + failures.get(0)
                    + (failures.size() > 1 ? ", and " + (failures.size() - 1) + " more" : "") + "); run barco gc to retry");
        }
    }

    /**
     * Removes the groups of containers whose launching JVM is gone, killing what still runs in them,
     * and returns the groups this call removed. Groups another collector is removing at the same time
     * are left to it. Throws, after doing all it could, if some group could not be collected.
     */
    public static List<Path> collectGarbage() {
        DeadLaunchers.Outcome outcome = DeadLaunchers.collect(garbageParents(host()));
        if (!outcome.failures().isEmpty()) {
            throw new CgroupException(String.join("; ", outcome.failures()) + " (removed " + outcome.removed().size()
                    + " other groups; retry with barco gc)");
        }
        return outcome.removed();
    }

    /** The directories where container groups live: the v2 parent, the caller's own group in each v1 hierarchy. */
    private static Set<Path> garbageParents(CgroupHost h) {
        Set<Path> parents = new LinkedHashSet<>();
        if (h.usesV2()) {
            parents.add(h.unified().orElseThrow().resolve(parentGroup()));
        }
        h.v1().forEach((controller, hierarchy) -> {
            if (CgroupHost.CONTROLLERS.contains(controller)) {
                parents.add(hierarchy.ownDirectory());
            }
        });
        return parents;
    }
}
