package io.barco.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a soak left on the host, counted only for what the soak created: processes and cgroups of
 * its own launcher JVMs (named barco-PID-...), zombies whose parent is the soak's JVM, host mounts
 * and /tmp entries that were not there when it began, and the soak JVM's own descriptors.
 */
final class Leftovers {
    /**
     * /tmp names a JVM of the soak could leave, each carrying its pid: barco's owned directories
     * (barco-KIND-PID-START-...) and a JVM's attach file (.java_pidPID). Shared caches (JNA's, the
     * JVMs' hsperfdata directory) and other builds' entries carry no pid of the soak's.
     */
    private static final java.util.regex.Pattern OURS =
            java.util.regex.Pattern.compile("barco-[a-z]+-(\\d+)-.*|\\.java_pid(\\d+)");

    private final Set<String> tmpAtStart = tmpEntries();
    private final long mountsAtStart = mounts();
    private final long fdsAtStart = fds();

    record Count(
            long processes, long zombies, long cgroups, long mounts, long tmpEntries, long fds, List<String> details) {
        long total() {
            return processes + zombies + cgroups + mounts + tmpEntries + fds;
        }

        @Override
        public String toString() {
            return "processes " + processes + ", zombies " + zombies + ", cgroups " + cgroups + ", mounts " + mounts
                    + ", /tmp entries " + tmpEntries + ", host JVM descriptors " + fds;
        }
    }

    /** @param launchers the pids of the JVMs whose groups and processes count as the soak's */
    Count count(Collection<Long> launchers, Collection<Long> containerPids) {
        List<String> details = new ArrayList<>();
        Set<String> prefixes = new HashSet<>();
        launchers.forEach(pid -> prefixes.add("barco-" + pid + "-"));
        long processes = 0;
        long zombies = 0;
        long self = ProcessHandle.current().pid();
        Set<Long> reported = new HashSet<>(containerPids);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                String stat = read(proc.resolve("stat"));
                if (stat.isEmpty()) {
                    continue;
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long pid = Long.parseLong(proc.getFileName().toString());
                boolean zombie = f[0].equals("Z");
                if (zombie && Long.parseLong(f[1]) == self) {
                    zombies++;
                    details.add("zombie " + pid);
                } else if (!zombie && (reported.contains(pid) || inGroupOf(read(proc.resolve("cgroup")), prefixes))) {
                    processes++;
                    details.add(
                            "process " + pid + " " + read(proc.resolve("comm")).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Path> groups = new ArrayList<>();
        groups(Path.of("/sys/fs/cgroup"), 6, prefixes, groups);
        groups.forEach(g -> details.add("cgroup " + g));
        long cgroups = groups.size();
        Set<String> tmp = tmpEntries();
        tmp.removeAll(tmpAtStart);
        // what barco or a JVM of the soak could leave in /tmp; other new entries belong to whatever else
        // runs on this host meanwhile (another build's JUnit temp dirs), and are listed, not counted
        Set<String> foreign = new java.util.TreeSet<>(tmp);
        Set<Long> owners = new HashSet<>(launchers);
        owners.add(self);
        tmp.removeIf(name -> !ours(name, owners));
        foreign.removeAll(tmp);
        tmp.forEach(name -> details.add("/tmp/" + name));
        if (!foreign.isEmpty()) {
            details.add("not counted, not the soak's: " + foreign.size() + " new /tmp entries, e.g. /tmp/"
                    + foreign.iterator().next());
        }
        long mounts = Math.max(0, mounts() - mountsAtStart);
        long fds = Math.max(0, fds() - fdsAtStart);
        return new Count(processes, zombies, cgroups, mounts, tmp.size(), fds, details);
    }

    /** Every hierarchy, tolerating directories that vanish under the walk (other groups come and go). */
    private static void groups(Path dir, int depth, Set<String> prefixes, List<Path> into) {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return;
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (prefixes.stream().anyMatch(name::startsWith)) {
                into.add(child);
            }
            if (depth > 1) {
                groups(child, depth - 1, prefixes, into);
            }
        }
    }

    private static boolean inGroupOf(String cgroupFile, Set<String> prefixes) {
        for (String prefix : prefixes) {
            if (cgroupFile.contains("/" + prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean ours(String name, Set<Long> owners) {
        java.util.regex.Matcher m = OURS.matcher(name);
        if (!m.matches()) {
            return false;
        }
        String pid = m.group(1) != null ? m.group(1) : m.group(2);
        return owners.contains(Long.parseLong(pid));
    }

    private static Set<String> tmpEntries() {
        Set<String> names = new HashSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/tmp"))) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private static long mounts() {
        return read(Path.of("/proc/self/mountinfo")).lines().count();
    }

    static long fds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }
}
