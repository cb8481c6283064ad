package io.barco.launch;

import io.barco.cgroup.Cgroups;
import io.barco.plan.LaunchPlan;
import io.barco.plan.Step;
import io.barco.seccomp.SeccompCompiler;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.Stdio;
import io.barco.sys.LinuxHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Makes a launch fail at each point of its real plan, on a host whose {@code /} is rshared, and
 * checks after each failure that the launcher's mount table is exactly as before and that no
 * process of the launch is left. Run by {@link FailedLaunchMountsIT} in a mount namespace of its
 * own: it makes that namespace's {@code /} rshared, as systemd does.
 *
 * <p>The fault is a real step that really fails (chdir to a path that exists nowhere) inserted
 * before step N of the plan the planner made, for every N: before the helper's first step, between
 * the clone of the root and its attachment, between pivot_root and the binds, before exec. What the
 * helper and the kernel then do with the half-built container is not simulated.
 *
 * <p>Prints one line per scenario: {@code NAME: N failure points, each failed at the fault, mount
 * table unchanged, no process left}, or what differed, and exits 0 only if every line is that one.
 */
public final class FaultWalk {
    private static final String NOWHERE = "/barco-fault-walk/no-such-directory";

    private FaultWalk() {}

    /** Inserts the failing step before step {@code at} of each plan while armed; records whether it did. */
    static final class Fault implements UnaryOperator<LaunchPlan> {
        volatile int at = -1;
        volatile boolean inserted;

        @Override
        public LaunchPlan apply(LaunchPlan plan) {
            int index = at;
            inserted = index >= 0 && index < plan.steps().size();
            if (!inserted) {
                return plan;
            }
            List<Step> steps = new ArrayList<>(plan.steps());
            steps.add(index, new Step.Chdir(NOWHERE, description(plan, index)));
            return new LaunchPlan(steps);
        }

        static String description(LaunchPlan plan, int index) {
            return "fault before step " + index + " (" + plan.step(index).description() + ")";
        }
    }

    /** One way to launch: with the fault armed, it must fail at the fault. */
    private interface Attempt {
        void run(Launcher launcher) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        exec("mount", "--make-rshared", "/");
        Path scratch = Files.createTempDirectory("barco-fault-walk-");
        Files.writeString(scratch.resolve("file"), "host\n");
        LinuxHost host = new LinuxHost();
        Fault fault = new Fault();
        Launcher launcher = new Launcher(
                host,
                new Cgroups(host, Cgroups.parentGroup()),
                new Preflight(host),
                new SeccompCompiler(),
                NativeHelper::path,
                Launcher.DEFAULT_SETUP_DEADLINE,
                fault);
        ContainerSpec plain = ContainerSpec.builder("/bin/true").build();
        boolean all = true;
        all &= walk("read-only root", launcher, fault, 0, l -> l.run(plain));
        all &= walk(
                "writable root (overlay)",
                launcher,
                fault,
                0,
                l -> l.run(plain.toBuilder().writableRoot(true).build()));
        all &= walk(
                "binds, tmpfs, bind overlay",
                launcher,
                fault,
                0,
                l -> l.run(plain.toBuilder()
                        .bind(scratch, "/mnt", false)
                        .tmpfs("/tmp/scratch")
                        // a bind overlay as the CLI's --bind SRC:DST:overlay makes it: the source, a tmpfs for the
                        // layers, the overlay
                        .mount(Mount.bindAsContainerRoot(scratch, "/srv"))
                        .tmpfs("/tmp/barco-fault-layers")
                        .mount(Mount.overlay("/srv", "/tmp/barco-fault-layers"))
                        .build()));
        // an image's root: its layers (the tests' busybox image, in a cache under target/, where the filesystem
        // has idmapped mounts and user xattrs) stacked by an overlay, made read-only at the end
        Path images = Files.createTempDirectory(
                Files.createDirectories(Path.of("target")).toAbsolutePath(), "fault-walk-images");
        io.barco.image.ImageStore store = new io.barco.image.ImageStore(images.resolve("cache"));
        io.barco.spec.ImageRoot image = store.resolve(io.barco.testing.OciImages.busyboxImage()
                .writeLayout(images.resolve("layout"))
                .toString());
        ContainerSpec fromImage = ContainerSpec.builder("/bin/busybox")
                .args("true")
                .image(image)
                .tmpfs("/srv/scratch")
                .build();
        all &= walk("image root, tmpfs", launcher, fault, 0, l -> l.run(fromImage));
        all &= walk(
                "host network",
                launcher,
                fault,
                0,
                l -> l.run(plain.toBuilder().network(NetworkMode.HOST).build()));
        all &= walk(
                "running container (init)",
                launcher,
                fault,
                0,
                l -> l.start(plain).close());
        fault.at = -1;
        try (RunningContainer running = launcher.start(plain)) {
            // an exec with the usual stdio runs the rest of its plan in a helper made ahead, which then makes the next
            // one: that one (at most) is the container's, not a leftover
            all &= walk(
                    "exec in a running container",
                    launcher,
                    fault,
                    1,
                    l -> running.exec(ExecSpec.builder("/bin/true").build()));
            all &= walk(
                    "exec, its whole plan at once",
                    launcher,
                    fault,
                    1,
                    l -> running.exec(
                            ExecSpec.builder("/bin/true").stdout(Stdio.DISCARD).build()));
            fault.at = -1;
            ContainerResult after = running.exec("/bin/echo", "alive");
            boolean alive = after.succeeded() && after.stdout().equals("alive\n");
            System.out.println("the running container after the failed execs: " + (alive ? "takes execs" : after));
            all &= alive;
        }
        Files.delete(scratch.resolve("file"));
        Files.delete(scratch);
        io.barco.sys.UntrustedFiles.deleteTree(images);
        System.exit(all ? 0 : 1);
    }

    /** Walks the fault through every step; {@code helpersAhead} processes more than before are a running container's own. */
    private static boolean walk(String name, Launcher launcher, Fault fault, int helpersAhead, Attempt attempt)
            throws Exception {
        List<String> problems = new ArrayList<>();
        Set<Long> children = children();
        String table = mountTable();
        int points = 0;
        for (int at = 0; ; at++) {
            fault.at = at;
            String failedAt = null;
            try {
                attempt.run(launcher);
            } catch (LaunchException e) {
                failedAt = e.step();
            }
            if (!fault.inserted) {
                fault.at = -1;
                if (failedAt != null) {
                    problems.add("without a fault the launch failed at " + failedAt);
                }
                break;
            }
            points++;
            if (failedAt == null || !failedAt.startsWith("fault before step " + at + " ")) {
                problems.add("fault " + at + ": failed at " + failedAt);
            }
            String now = mountTable();
            if (!now.equals(table)) {
                problems.add("fault " + at + ": mount table changed: " + difference(table, now));
                table = now;
            }
            Set<Long> left = children();
            left.removeAll(children);
            if (left.size() > helpersAhead) {
                problems.add("fault " + at + ": processes left: " + left);
            }
        }
        if (points < 10) {
            problems.add("only " + points + " failure points: the walk did not reach the plan");
        }
        System.out.println(name + ": "
                + (problems.isEmpty()
                        ? points + " failure points, each failed at the fault, mount table unchanged, no process left"
                        : String.join("; ", problems)));
        return problems.isEmpty();
    }

    /** Mount point, type and source of each mount: what is mounted where, without the ids that change with every mount. */
    static String mountTable() throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            rows.add(f[4] + " " + f[dash + 1] + " " + f[dash + 2]);
        }
        rows.sort(null);
        return String.join("\n", rows);
    }

    private static String difference(String before, String after) {
        Set<String> added = new TreeSet<>(after.lines().toList());
        before.lines().toList().forEach(added::remove);
        Set<String> removed = new TreeSet<>(before.lines().toList());
        after.lines().toList().forEach(removed::remove);
        return "added " + added + ", removed " + removed;
    }

    private static Set<Long> children() {
        Set<Long> pids = new TreeSet<>();
        ProcessHandle.current().children().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": exit " + p.exitValue());
        }
    }
}
