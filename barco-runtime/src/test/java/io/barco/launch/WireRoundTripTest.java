package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.plan.LaunchPlan;
import io.barco.plan.Op;
import io.barco.plan.PlanEncoder;
import io.barco.plan.Step;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire contract checked across the language boundary: Java encodes a plan, the real helper in
 * --echo-plan mode decodes it and prints what it read, and that must be the plan; its status records
 * must decode to what it wrote. Needs no privileges and starts no container.
 */
class WireRoundTripTest {
    private static final int ECANCELED = 125;
    private static final int EPROTO = 71;

    @TempDir
    Path dir;

    @Test
    void theHelperReadsEveryStepsFieldsInTheSlotsItsHandlerReads() throws Exception {
        List<Case> cases = cases();
        LaunchPlan plan = new LaunchPlan(cases.stream().map(Case::step).toList());
        Echo echo = echo(PlanEncoder.encode(plan));

        assertThat(echo.exitCode).as(echo.stderr).isZero();
        List<String> expected = new ArrayList<>();
        expected.add("steps " + plan.steps().size());
        cases.forEach(c -> expected.add(c.line()));
        assertThat(echo.stdout).containsExactlyElementsOf(expected);

        assertThat(echo.records).hasSize(2);
        StatusRecord pid = echo.records.get(0);
        assertThat(pid.kind()).isEqualTo(StatusRecord.PID);
        assertThat(pid.value()).isEqualTo((int) echo.pid);
        assertThat(pid.call()).isEmpty();
        StatusRecord error = echo.records.get(1);
        assertThat(error.kind()).isEqualTo(StatusRecord.ERROR);
        assertThat(error.step()).isEqualTo(plan.steps().size());
        assertThat(error.errno()).isEqualTo(ECANCELED);
        assertThat(error.failed("the step"))
                .isEqualTo(
                        "the step: echo-plan: applied none of " + plan.steps().size() + " steps");
    }

    @Test
    void everyOpHasItsRecordAndEveryRecordACase() {
        List<Case> cases = cases();
        assertThat(cases).extracting(c -> c.step().op()).containsAll(List.of(Op.values()));
        assertThat(cases).allSatisfy(c -> assertThat(c.step().op()).isEqualTo(c.op()));
        assertThat(Step.class.getPermittedSubclasses())
                .hasSize(Op.values().length)
                .allSatisfy(kind -> assertThat(cases).anyMatch(c -> kind.isInstance(c.step())));
    }

    @Test
    void aPlanWithAnotherMagicIsRefusedByName() throws Exception {
        byte[] wire = PlanEncoder.encode(new LaunchPlan(List.of(new Step.Setsid("setsid()"))));
        ByteBuffer.wrap(wire).order(ByteOrder.nativeOrder()).putInt(0, PlanEncoder.MAGIC + 1);
        Echo echo = echo(wire);

        assertThat(echo.exitCode).isNotZero();
        assertThat(echo.stdout).isEmpty();
        assertThat(echo.records).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(StatusRecord.ERROR);
            assertThat(r.step()).isEqualTo(-1);
            assertThat(r.errno()).isEqualTo(EPROTO);
            assertThat(r.call())
                    .isEqualTo(
                            String.format("plan magic 0x%08x is not 0x%08x", PlanEncoder.MAGIC + 1, PlanEncoder.MAGIC));
        });
    }

    @Test
    void aTruncatedPlanNamesTheStepItEndsIn() throws Exception {
        byte[] wire =
                PlanEncoder.encode(new LaunchPlan(List.of(new Step.Setsid("setsid()"), new Step.Clone(1, "clone()"))));
        Echo echo = echo(Arrays.copyOf(wire, wire.length - 30));

        assertThat(echo.records).singleElement().satisfies(r -> {
            assertThat(r.step()).isEqualTo(-1);
            assertThat(r.errno()).isEqualTo(EPROTO);
            assertThat(r.call()).isEqualTo("plan ends in step 1's numbers");
        });
    }

    /** A step, its op as the helper must name it, and the line --echo-plan must print for it. */
    private record Case(Step step, Op op, String line) {}

    /**
     * Every kind of step, with the slots its C handler reads its fields from: numbers at the edges of
     * 64 bits, and strings absent, empty, not ASCII, binary (every byte, NUL included), packed and
     * past the helper's first buffer.
     */
    private static List<Case> cases() {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        String big = "x".repeat(150_000);
        long idmapIds = (0xffff_fffeL << 32) | 1;
        return List.of(
                expect(new Step.OpenTree("/srv/tree", true, true, "d"), Op.OPEN_TREE, 1, 1, "/srv/tree"),
                expect(new Step.OpenTree("/", false, false, "d"), Op.OPEN_TREE, 0, 0, "/"),
                expect(new Step.Clone(-1, "d"), Op.CLONE, -1, 0),
                expect(new Step.WriteProc("uid_map", "0 1 2\n", "d"), Op.WRITE_PROC, 0, 0, "uid_map", "0 1 2\n"),
                expect(new Step.WritePid("/cg/cgroup.procs", "d"), Op.WRITE_PID, 0, 0, "/cg/cgroup.procs"),
                expect(new Step.Release("d"), Op.RELEASE, 0, 0),
                expect(
                        new Step.IdmapTree(63, 0xffff_fffeL, 1, "0 7 1\n", null, "d"),
                        Op.IDMAP_TREE,
                        63,
                        idmapIds,
                        "0 7 1\n",
                        null),
                expect(new Step.Detach("/tmp/root/proc", "d"), Op.DETACH, 0, 0, "/tmp/root/proc"),
                expect(new Step.WriteFile("/big", big, 0644, false, "d"), Op.WRITE_FILE, 0644, 0, "/big", big),
                expect(
                        new Step.WriteFile("/etc/hosts", "", 07777, true, "d"),
                        Op.WRITE_FILE,
                        07777,
                        1,
                        "/etc/hosts",
                        ""),
                expect(new Step.Unshare(Long.MIN_VALUE, "d"), Op.UNSHARE, Long.MIN_VALUE, 0),
                expect(new Step.Mount(null, "/t", null, -1, null, "d"), Op.MOUNT, -1, 0, null, "/t", null, null),
                expect(
                        new Step.Mount("tmpfs", "/tmp/é€", "tmpfs", 6, "mode=1777", "d"),
                        Op.MOUNT,
                        6,
                        0,
                        "tmpfs",
                        "/tmp/é€",
                        "tmpfs",
                        "mode=1777"),
                expect(new Step.AttachTree(5, "/tmp/root", "d"), Op.ATTACH_TREE, 5, 0, "/tmp/root"),
                expect(new Step.Mkdir("/a", 01777, "d"), Op.MKDIR, 01777, 0, "/a"),
                expect(new Step.Mkfile("/f", 0666, "d"), Op.MKFILE, 0666, 0, "/f"),
                expect(
                        new Step.BindDevice("/dev/null", Long.MAX_VALUE, "/tmp/root/dev/null", "d"),
                        Op.BIND_DEVICE,
                        0,
                        Long.MAX_VALUE,
                        "/dev/null",
                        "/tmp/root/dev/null"),
                expect(
                        new Step.Mask("/proc/kcore", "/dev/null", 259, "d"),
                        Op.MASK,
                        0,
                        259,
                        "/proc/kcore",
                        "/dev/null"),
                expect(new Step.ReadOnly("/proc/sys", "d"), Op.READ_ONLY, 0, 0, "/proc/sys"),
                expect(new Step.Symlink("pts/ptmx", "/dev/ptmx", "d"), Op.SYMLINK, 0, 0, "pts/ptmx", "/dev/ptmx"),
                expect(new Step.SetHostname("box", "d"), Op.SETHOSTNAME, 0, 0, "box"),
                expect(new Step.LoopbackUp("d"), Op.LOOPBACK_UP, 0, 0),
                expect(new Step.PivotRoot("/tmp/root", "d"), Op.PIVOT_ROOT, 0, 0, "/tmp/root"),
                expect(new Step.Chdir("/srv", "d"), Op.CHDIR, 0, 0, "/srv"),
                expect(new Step.Setsid("d"), Op.SETSID, 0, 0),
                expect(new Step.DropBounding(-1, 63, "d"), Op.DROP_BOUNDING, -1, 63),
                expect(new Step.SetIds(0xffff_fffeL, 7, "d"), Op.SET_IDS, 0xffff_fffeL, 7),
                expect(new Step.SetCaps(Long.MIN_VALUE, "d"), Op.SET_CAPS, Long.MIN_VALUE, 0),
                expect(new Step.NoNewPrivs("d"), Op.NO_NEW_PRIVS, 0, 0),
                expect(new Step.CloseFds("d"), Op.CLOSE_FDS, 0, 0),
                expect(new Step.Seccomp(everyByte, "d"), Op.SECCOMP, 0, 0, everyByte),
                expect(
                        new Step.Exec("sh", List.of("sh", "-c", "echo hi"), List.of("PATH=/bin"), "/bin:/sbin", "d"),
                        Op.EXEC,
                        3,
                        1,
                        "sh",
                        "sh\0-c\0echo hi",
                        "PATH=/bin",
                        "/bin:/sbin"),
                expect(
                        new Step.Exec("/bin/true", List.of(), List.of(), null, "d"),
                        Op.EXEC,
                        0,
                        0,
                        "/bin/true",
                        "",
                        "",
                        null),
                expect(new Step.Foreground("d"), Op.FOREGROUND, 0, 0),
                expect(
                        new Step.BindIfExists("/tmp/hosts", "/etc/hosts", "d"),
                        Op.BIND_IF_EXISTS,
                        0,
                        0,
                        "/tmp/hosts",
                        "/etc/hosts"),
                expect(new Step.WatchLauncher("d"), Op.WATCH_LAUNCHER, 0, 0),
                expect(new Step.Init("d"), Op.INIT, 0, 0),
                expect(new Step.Setns(5, 0x7e020000, "d"), Op.SETNS, 5, 0x7e020000),
                expect(new Step.NextPlan(9, "d"), Op.NEXT_PLAN, 9, 0));
    }

    /**
     * The line --echo-plan prints for a step of {@code op} with {@code a} and {@code b} (unsigned) and
     * {@code strings}, each a String (as UTF-8), bytes or null: "-" when absent, else "x" and its hex.
     */
    private static Case expect(Step step, Op op, long a, long b, Object... strings) {
        StringBuilder line = new StringBuilder(op.name())
                .append(' ')
                .append(Long.toUnsignedString(a))
                .append(' ')
                .append(Long.toUnsignedString(b));
        for (int i = 0; i < Step.MAX_STRINGS; i++) {
            Object s = i < strings.length ? strings[i] : null;
            byte[] bytes = s instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : (byte[]) s;
            line.append(bytes == null ? " -" : " x" + HexFormat.of().formatHex(bytes));
        }
        return new Case(step, op, line.toString());
    }

    private record Echo(int exitCode, long pid, List<String> stdout, String stderr, List<StatusRecord> records) {}

    /** Runs the real helper with the plan on its plan descriptor and its status descriptor on a file, as HelperSpawner numbers them. */
    private Echo echo(byte[] wire) throws IOException, InterruptedException {
        Path planFile = Files.write(dir.resolve("plan"), wire);
        Path status = dir.resolve("status");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        String script =
                "exec \"$0\" --echo-plan " + HelperSpawner.PLAN_FD + "<\"$1\" " + HelperSpawner.STATUS_FD + ">\"$2\"";
        Process process = new ProcessBuilder(
                        "sh", "-c", script, NativeHelper.path().toString(), planFile.toString(), status.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the helper exits").isTrue();
        byte[] report = Files.readAllBytes(status);
        assertThat(report.length % StatusRecord.SIZE).as("whole status records").isZero();
        List<StatusRecord> records = new ArrayList<>();
        for (int off = 0; off < report.length; off += StatusRecord.SIZE) {
            records.add(StatusRecord.decode(report, off));
        }
        return new Echo(process.exitValue(), process.pid(), Files.readAllLines(out), Files.readString(err), records);
    }
}
