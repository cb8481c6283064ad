package io.barco.cgroup;

import io.barco.Setting;
import io.barco.spec.Limits;
import io.barco.sys.Host;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates containers' cgroups with the driver this host needs: unified cgroup v2, or the cgroup v1
 * hierarchies of a hybrid or legacy host. A limit the host cannot enforce is an error naming the
 * missing controller, unless the caller allowed running without it. One per runtime: the host's
 * cgroup layout is read at the first use and kept.
 */
public final class Cgroups {
    /** The v2 parent group, below the hierarchy's root; BARCO_CGROUP_PARENT changes it. */
    public static final String DEFAULT_PARENT = "barco";

    private final CgroupFiles files;
    private final CgroupNames names;
    private final String parent;
    private volatile CgroupHost layout;
    private volatile boolean collected;
    private final AtomicBoolean collectionFailureLogged = new AtomicBoolean();

    /** Containers' groups on this host; in cgroup v2 below {@code parent}, such as {@link #parentGroup()}. */
    public Cgroups(Host host, String parent) {
        this.files = new CgroupFiles(host);
        this.names = new CgroupNames(host.proc());
        this.parent = parent;
    }

    CgroupHost layout() {
        CgroupHost h = layout;
        if (h == null) {
            h = CgroupHost.probe(files.host());
            layout = h;
        }
        return h;
    }

    /** Which driver this host gets: "cgroup v2 (/sys/fs/cgroup)" or "cgroup v1 (...)". */
    public String driverName() {
        return driverName(layout());
    }

    static String driverName(CgroupHost h) {
        if (h.usesV2()) {
            return "cgroup v2 (" + h.unified().orElseThrow() + ")";
        }
        return h.v1().isEmpty()
                ? "none"
                : "cgroup v1 ("
                        + String.join(
                                ", ",
                                h.v1().keySet().stream()
                                        .filter(CgroupHost.CONTROLLERS::contains)
                                        .toList()) + ")";
    }

    /** The v2 parent group this environment asks for: BARCO_CGROUP_PARENT, else {@value #DEFAULT_PARENT}. */
    public static String parentGroup() {
        String parent = System.getenv("BARCO_CGROUP_PARENT");
        return parent == null || parent.isBlank() ? DEFAULT_PARENT : parent;
    }

    /**
     * Creates and limits the groups for one container.
     *
     * @param allowMissingControllers run without a limit the host cannot enforce, instead of failing
     */
    public ContainerCgroup create(Limits limits, boolean allowMissingControllers) {
        return create(layout(), limits, allowMissingControllers);
    }

    ContainerCgroup create(CgroupHost h, Limits limits, boolean allowMissingControllers) {
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
            effective = new Limits(
                    effective.memory(), effective.memorySwap(), effective.cpuWeight(), effective.cpus(), null);
        }
        if (!missing.isEmpty() && !allowMissingControllers) {
            throw new CgroupException(
                    "this host cannot enforce the " + String.join(", ", missing) + " limit"
                            + (missing.size() > 1 ? "s" : "") + ": no " + String.join(", ", missing) + " controller in "
                            + driverName(h) + ": drop the limit, or allow running without it",
                    Setting.ALLOW_MISSING_CONTROLLERS);
        }
        collectGarbageOnce();
        String name = CgroupNames.next();
        if (h.usesV2()) {
            return CgroupV2.create(files, h.unified().orElseThrow(), h.unifiedControllers(), parent, name, effective);
        }
        if (!h.v1().isEmpty()) {
            return CgroupV1.create(files, h.v1(), name, effective);
        }
        throw new CgroupException("no cgroup hierarchy with memory, cpu or pids is mounted on this host");
    }

    /**
     * A handle on a running container's groups that another JVM created (a named container of the
     * CLI), from their {@link ContainerCgroup#directories()}: it creates groups below them for the
     * commands this JVM runs there, and leaves the container's own groups to their owner. Every
     * directory must be a barco container group inside a cgroup hierarchy of this host.
     */
    public ContainerCgroup existing(java.util.Map<String, Path> directories) {
        CgroupHost h = layout();
        for (Map.Entry<String, Path> entry : directories.entrySet()) {
            Path dir = entry.getValue().normalize();
            boolean inHierarchy = entry.getKey().isEmpty()
                    ? h.unified()
                            .map(root -> dir.startsWith(root.resolve(parent)))
                            .orElse(false)
                    : h.v1().containsKey(entry.getKey())
                            && dir.startsWith(h.v1().get(entry.getKey()).mountPoint());
            if (!inHierarchy
                    || !CgroupNames.isBarcoGroup(dir.getFileName().toString())
                    || !java.nio.file.Files.isDirectory(dir)) {
                throw new CgroupException("not a barco container group of this host: " + entry.getKey() + " " + dir);
            }
        }
        if (directories.size() == 1 && directories.containsKey("")) {
            return CgroupV2.existing(files, directories.get(""));
        }
        return CgroupV1.existing(files, directories);
    }

    /**
     * Removes the v2 parent group if no container group is left in it, so nothing named after barco
     * outlives a run. Harmless when another JVM still uses it: a non-empty group cannot be removed.
     */
    public void removeParentIfUnused() {
        CgroupHost h = layout;
        if (h == null || !h.usesV2()) {
            return;
        }
        try {
            files.host().rmdir(h.unified().orElseThrow().resolve(parent));
        } catch (IOException e) {
            // in use, or already gone
        }
    }

    /**
     * Collects dead launchers' groups at this runtime's first launch. Best effort: what it cannot collect
     * is logged once per JVM and left for `barco gc`; it never fails the launch that triggered it.
     */
    private void collectGarbageOnce() {
        if (collected) {
            return;
        }
        collected = true;
        List<String> failures;
        try {
            failures = DeadLaunchers.collect(files, names, garbageParents(layout()))
                    .failures();
        } catch (RuntimeException e) {
            failures = List.of(String.valueOf(e.getMessage()));
        }
        if (!failures.isEmpty() && collectionFailureLogged.compareAndSet(false, true)) {
            System.err.println("barco: could not collect the cgroups of launchers that died (" + failures.get(0)
                    + (failures.size() > 1 ? ", and " + (failures.size() - 1) + " more" : "")
                    + "); run barco gc to retry");
        }
    }

    /**
     * Removes the groups of containers whose launching JVM is gone, killing what still runs in them,
     * and returns the groups this call removed. Groups another collector is removing at the same time
     * are left to it. Throws, after doing all it could, if some group could not be collected.
     */
    public List<Path> collectGarbage() {
        DeadLaunchers.Outcome outcome = DeadLaunchers.collect(files, names, garbageParents(layout()));
        if (!outcome.failures().isEmpty()) {
            throw new CgroupException(String.join("; ", outcome.failures()) + " (removed "
                    + outcome.removed().size() + " other groups; retry with barco gc)");
        }
        return outcome.removed();
    }

    /** The directories where container groups live: the v2 parent, the caller's own group in each v1 hierarchy. */
    private Set<Path> garbageParents(CgroupHost h) {
        Set<Path> parents = new LinkedHashSet<>();
        if (h.usesV2()) {
            parents.add(h.unified().orElseThrow().resolve(parent));
        }
        h.v1().forEach((controller, hierarchy) -> {
            if (CgroupHost.CONTROLLERS.contains(controller)) {
                parents.add(hierarchy.ownDirectory());
            }
        });
        return parents;
    }
}
