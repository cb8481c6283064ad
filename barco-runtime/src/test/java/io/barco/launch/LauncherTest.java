package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoException;
import io.barco.cgroup.CgroupException;
import io.barco.cgroup.Cgroups;
import io.barco.plan.LaunchPlan;
import io.barco.plan.Op;
import io.barco.plan.Step;
import io.barco.seccomp.SeccompCompiler;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.sys.Errno;
import io.barco.testing.FakeHost;
import io.barco.testing.FakeHost.HelperRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher over a fake host: what a helper's report becomes, and that everything a launch
 * creates (the container's cgroup, the plan's memfd, the pipes, the pidfd) is destroyed on every
 * path, last created first, with nothing left open.
 */
class LauncherTest {
    private static final Path HELPER = Path.of("/opt/barco/barco-helper");
    private static final Pattern GROUP = Pattern.compile("(mkdir|rmdir) (.*/barco-\\d+-\\d+-\\d+)");
    private static final Pattern CLOSE = Pattern.compile("close (\\d+)");

    @TempDir
    Path dir;

    private final AtomicReference<LaunchPlan> plan = new AtomicReference<>();
    private final LaunchObserver planned = new LaunchObserver() {
        @Override
        public void planned(LaunchPlan p) {
            plan.set(p);
        }
    };

    private Launcher launcher(FakeHost host) {
        return new Launcher(host, new Cgroups(host, "barco"), new Preflight(host), new SeccompCompiler(), () -> HELPER);
    }

    /** The helper as the test scripts it, given the plan the launcher made. */
    private FakeHost host(BiFunction<FakeHost, LaunchPlan, HelperRun> helper) {
        return FakeHost.v2(dir).helper((h, bytes) -> helper.apply(h, plan.get()));
    }

    private static ContainerSpec spec() {
        return ContainerSpec.builder("/bin/true")
                .limits(Limits.NONE.withPids(16))
                .build();
    }

    /** What the calls created, in order: "fd 103", "group sys/fs/cgroup/barco/barco-…". */
    private static List<String> created(List<String> calls) {
        List<String> made = new ArrayList<>();
        for (String call : calls) {
            String[] words = call.split(" ");
            switch (words[0]) {
                case "pipe" -> made.addAll(List.of("fd " + words[1], "fd " + words[2]));
                case "memfd", "pidfd_open" -> made.add("fd " + words[2]);
                case "mkdir" -> {
                    Matcher m = GROUP.matcher(call);
                    if (m.matches()) {
                        made.add("group " + m.group(2));
                    }
                }
                default -> {}
            }
        }
        return made;
    }

    /** What the calls destroyed, in order, in the words of {@link #created}. */
    private static List<String> destroyed(List<String> calls) {
        List<String> gone = new ArrayList<>();
        for (String call : calls) {
            Matcher close = CLOSE.matcher(call);
            Matcher group = GROUP.matcher(call);
            if (close.matches()) {
                gone.add("fd " + close.group(1));
            } else if (group.matches() && group.group(1).equals("rmdir")) {
                gone.add("group " + group.group(2));
            }
        }
        return gone;
    }

    private static List<String> pick(List<String> made, int... indexes) {
        List<String> picked = new ArrayList<>();
        for (int i : indexes) {
            picked.add(made.get(i));
        }
        return picked;
    }

    @Test
    void aContainerThatRanLeavesNothingBehindAndReportsWhatItPrinted() throws Exception {
        FakeHost host = host((h, p) -> {
            int pid = h.startInNewGroups();
            h.exit(pid, 3);
            return HelperRun.started(pid, "hello\n");
        });
        ContainerResult result = launcher(host).run(spec());
        assertThat(result.status()).isEqualTo(ExitStatus.exited(3));
        assertThat(result.stdout()).isEqualTo("hello\n");
        assertThat(result.usage().peakTasks()).isPresent();
        List<String> made = created(host.calls());
        assertThat(made).hasSize(1 + 1 + 6 + 1); // group, plan, stdout, stderr and status pipes, pidfd
        assertThat(destroyed(host.calls())).containsExactlyInAnyOrderElementsOf(made);
        assertThat(host.calls()).noneMatch(c -> c.endsWith("(not open)"));
        assertThat(host.openDescriptors()).isEmpty();
        assertThat(host.calls())
                .contains("spawn barco-helper")
                .as("a container that took no terminal leaves it alone")
                .doesNotContain("tcsetpgrp");
    }

    @Test
    void aHelperThatCannotStartUndoesEverythingLastCreatedFirst() {
        FakeHost host = FakeHost.v2(dir).failCall("spawn", Errno.ENOENT);
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isInstanceOf(BarcoException.class)
                .hasMessage("cannot start barco's native helper " + HELPER + ": No such file or directory");
        List<String> made = created(host.calls());
        // group, plan memfd, stdout pipe (read, write), stderr pipe, status pipe
        assertThat(made).hasSize(8);
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 6, 5, 4, 3, 2, 1, 0));
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void afterTheHelperReportsAFailureItsEndsCloseFirstThenOursThenTheGroup() {
        FakeHost host = host((h, p) -> HelperRun.failedAt(p.indexOf(Op.EXEC), Errno.ENOENT));
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned))
                .isInstanceOf(CommandNotFoundException.class)
                .hasMessage(
                        "command not found in the container: /bin/true (give an absolute path, or one on the container's PATH)");
        List<String> made = created(host.calls());
        assertThat(made).hasSize(8);
        // the helper's copies: status write end, stdout and stderr write ends, the plan; then the
        // status read end once read, our ends of stderr and stdout, and the group
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 5, 3, 1, 6, 4, 2, 0));
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aCommandThatCannotBeExecutedSaysWhy() {
        FakeHost host = host((h, p) -> HelperRun.failedAt(p.indexOf(Op.EXEC), Errno.EACCES));
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned))
                .isInstanceOf(CommandNotExecutableException.class)
                .hasMessage("cannot execute /bin/true in the container: Permission denied");
    }

    @Test
    void aMountPointOnAReadOnlyRootfsSaysHowToMountInstead() {
        FakeHost host = host((h, p) -> HelperRun.failedAt(p.indexOf(Op.MKDIR), Errno.EROFS));
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned))
                .isInstanceOf(LaunchException.class)
                .hasMessageEndingWith(": Read-only file system (the rootfs is read-only: mount on an existing path, "
                        + "one under /tmp, or use a writable rootfs)")
                .satisfies(e -> assertThat(((LaunchException) e).errno()).isEqualTo(Errno.EROFS));
    }

    @Test
    void anOverlayTheKernelRefusesForAWritableRootSaysWhatItNeeds() {
        ContainerSpec writable = spec().toBuilder().writableRoot(true).build();
        FakeHost host = host((h, p) -> {
            for (int i = 0; i < p.steps().size(); i++) {
                if (p.step(i) instanceof Step.Mount mount && "overlay".equals(mount.fstype())) {
                    return HelperRun.failedAt(i, Errno.EINVAL);
                }
            }
            throw new AssertionError("no overlay in " + p.steps());
        });
        assertThatThrownBy(() -> launcher(host).launch(writable, planned))
                .isExactlyInstanceOf(LaunchException.class)
                .hasMessageStartingWith(
                        "mount overlay on / (lower layer /tmp/lower, upper /tmp/layers/0/upper): Invalid argument")
                .hasMessageEndingWith(
                        "(the kernel refused / as an overlay's lower layer, which a writable root needs; its log (dmesg) "
                                + "says why: use a rootfs on ext4, xfs, btrfs or tmpfs, or a read-only root)");
    }

    @Test
    void anyOtherStepNamesItselfAndTheKernelsAnswer() {
        FakeHost host = host((h, p) -> HelperRun.failedAt(p.indexOf(Op.EXEC), Errno.EINVAL));
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned))
                .isExactlyInstanceOf(LaunchException.class)
                .hasMessage("execve(/bin/true): Invalid argument");
    }

    @Test
    void aFailureBeforeAnyStepIsTheHelpersOwn() {
        FakeHost host = host((h, p) -> HelperRun.failedAt(-1, Errno.EINVAL));
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(LaunchException.class)
                .hasMessage("barco's native helper: Invalid argument");
    }

    @Test
    void aHelperThatDiedSilentlySaysHow() {
        FakeHost host = host((h, p) -> HelperRun.diedWithoutReport(70));
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage("barco's native helper failed without a report (exited with 70)");
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aContainerWhoseLaterStepFailedIsKilledAndReapedBeforeTheCleanup() {
        AtomicReference<Integer> container = new AtomicReference<>();
        FakeHost host = host((h, p) -> {
            container.set(h.startInNewGroups());
            return HelperRun.failedAfterStart(container.get(), p.indexOf(Op.EXEC), Errno.ENOENT);
        });
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned)).isInstanceOf(CommandNotFoundException.class);
        List<String> made = created(host.calls());
        assertThat(host.calls())
                .containsSubsequence(
                        "kill " + container.get() + " 9",
                        "waitpid " + container.get(),
                        "rmdir " + made.get(0).substring("group ".length()));
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 5, 3, 1, 6, 4, 2, 0));
    }

    @Test
    void aSetupThatStallsIsKilledAtTheDeadlineHelperAndChildAndCleanedUp() {
        AtomicReference<Integer> container = new AtomicReference<>();
        FakeHost host = host((h, p) -> {
                    container.set(h.startInNewGroups());
                    return HelperRun.started(container.get(), "");
                })
                .stallStatus();
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage("the container's setup did not finish within 1m (the container's first process "
                        + container.get() + " had not exec'd; a process in the container may have stopped it): killed");
        assertThat(host.calls()).contains("kill " + container.get() + " 9", "waitpid " + container.get());
        List<String> made = created(host.calls());
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 5, 3, 1, 6, 4, 2, 0));
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aPidThatIsNoChildOfOursIsNeverSignalledWhateverTheReportSays() {
        int stranger = 1; // init: a process the JVM did not start
        FakeHost host = host((h, p) -> HelperRun.failedAfterStart(stranger, p.indexOf(Op.EXEC), Errno.ENOENT));
        assertThatThrownBy(() -> launcher(host).launch(spec(), planned))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage(
                        "barco's native helper sent a report that is not its own (pid 1 is no child of this JVM): nothing was signalled");
        assertThat(host.calls()).noneMatch(call -> call.startsWith("kill 1 ") || call.startsWith("pidfd_open 1 "));
        List<String> made = created(host.calls());
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 5, 3, 1, 6, 4, 2, 0));
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aReportWithTwoPidsOrRecordsOfNoKindIsRefusedAndSignalsNothing() {
        AtomicReference<Integer> container = new AtomicReference<>();
        FakeHost host = host((h, p) -> {
            container.set(h.startInNewGroups());
            byte[] one = StatusRecord.pid(container.get()).encode();
            byte[] two = StatusRecord.pid(container.get() + 1).encode();
            byte[] both = java.util.Arrays.copyOf(one, one.length * 2);
            System.arraycopy(two, 0, both, one.length, two.length);
            return new HelperRun(both, 0, new byte[0]);
        });
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage(
                        "barco's native helper sent a report that is not its own (a second PID record): nothing was signalled");
        // the first pid is a child of ours: it is killed and reaped, as any container whose launch failed
        assertThat(host.calls())
                .contains("kill " + container.get() + " 9")
                .doesNotContain("kill " + (container.get() + 1) + " 9");
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aContainerGoneBeforeItsPidfdIsKilledReapedAndCleanedUp() {
        AtomicReference<Integer> container = new AtomicReference<>();
        FakeHost host = host((h, p) -> {
                    container.set(h.startInNewGroups());
                    return HelperRun.started(container.get(), "");
                })
                .failCall("pidfd_open", Errno.ESRCH);
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessage("pidfd_open(" + container.get() + "): No such process");
        assertThat(host.calls()).contains("kill " + container.get() + " 9", "waitpid " + container.get());
        List<String> made = created(host.calls());
        assertThat(destroyed(host.calls())).containsExactlyElementsOf(pick(made, 7, 5, 3, 1, 6, 4, 2, 0));
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void aLimitTheHostCannotEnforceFailsBeforeAnythingIsCreated() {
        FakeHost host = FakeHost.v2(dir, "cpu", "io");
        assertThatThrownBy(() -> launcher(host).launch(spec())).isInstanceOf(CgroupException.class);
        assertThat(created(host.calls())).isEmpty();
        assertThat(host.calls()).noneMatch(c -> c.startsWith("spawn"));
    }

    @Test
    void aHostThatCannotRunContainersFailsBeforeAnythingIsCreated() {
        FakeHost host = FakeHost.v2(dir).euid(1000);
        assertThatThrownBy(() -> launcher(host).launch(spec()))
                .isExactlyInstanceOf(BarcoException.class)
                .hasMessageStartingWith("barco must run as root");
        assertThat(host.calls()).containsExactly("uname");
    }

    @Test
    void aContainerOutlivingItsTimeoutIsKilledThroughItsPidfdAndMarked() throws Exception {
        FakeHost host = FakeHost.v2(dir);
        ContainerSpec spec = ContainerSpec.builder("/bin/sleep")
                .args("60")
                .timeout(Duration.ofMillis(20))
                .build();
        try (Container container = launcher(host).launch(spec)) {
            assertThat(container.waitFor()).isEqualTo(ExitStatus.killed(9));
            assertThat(container.timedOut()).isTrue();
            assertThat(host.calls()).anyMatch(c -> c.matches("pidfd_send_signal \\d+ 9"));
        }
        assertThat(host.openDescriptors()).isEmpty();
    }

    @Test
    void closingARunningContainerKillsItAndReleasesAll() throws Exception {
        FakeHost host = FakeHost.v2(dir);
        Container container = launcher(host).launch(spec());
        assertThat(container.isAlive()).isTrue();
        assertThat(host.openDescriptors())
                .as("pidfd, our ends of stdout and stderr")
                .hasSize(3);
        container.close();
        assertThat(container.waitFor()).isEqualTo(ExitStatus.killed(9));
        assertThat(host.openDescriptors()).isEmpty();
        assertThat(destroyed(host.calls())).containsExactlyInAnyOrderElementsOf(created(host.calls()));
        assertThat(container.signal(15)).as("no signal after close").isFalse();
    }
}
