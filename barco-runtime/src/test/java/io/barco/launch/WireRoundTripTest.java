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
    void theHelperReadsEveryOpNumberAndStringAsJavaWroteThem() throws Exception {
        LaunchPlan plan = variedPlan();
        Echo echo = echo(PlanEncoder.encode(plan));

        assertThat(echo.exitCode).as(echo.stderr).isZero();
        List<String> expected = new ArrayList<>();
        expected.add("steps " + plan.steps().size());
        plan.steps().forEach(step -> expected.add(line(step)));
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
    void aPlanWithAnotherMagicIsRefusedByName() throws Exception {
        byte[] wire = PlanEncoder.encode(new LaunchPlan(List.of(step(Op.SETSID, 0, 0))));
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
        byte[] wire = PlanEncoder.encode(new LaunchPlan(List.of(step(Op.SETSID, 0, 0), step(Op.EXEC, 1, 2))));
        Echo echo = echo(Arrays.copyOf(wire, wire.length - 30));

        assertThat(echo.records).singleElement().satisfies(r -> {
            assertThat(r.step()).isEqualTo(-1);
            assertThat(r.errno()).isEqualTo(EPROTO);
            assertThat(r.call()).isEqualTo("plan ends in step 1's numbers");
        });
    }

    /** Every op, numbers at the edges of 64 bits, and strings absent, empty, binary, packed and past the helper's first buffer. */
    private static LaunchPlan variedPlan() {
        byte[] everyByte = new byte[255];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) (i + 1); // a NUL would end the string: Java appends the one that does
        }
        byte[] big = new byte[150_000];
        Arrays.fill(big, (byte) 'x');
        List<Step> steps = new ArrayList<>();
        long[] numbers = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0755, 0x0000_0001_0000_0002L};
        Op[] ops = Op.values();
        for (int i = 0; i < ops.length; i++) {
            long a = numbers[i % numbers.length];
            long b = numbers[(i + 3) % numbers.length] ^ ops[i].code();
            List<byte[]> strings = new ArrayList<>();
            for (int k = 0; k < i % (Step.MAX_STRINGS + 1); k++) {
                strings.add(
                        k == 1
                                ? null
                                : ("/path/" + ops[i].name().toLowerCase() + "/" + k).getBytes(StandardCharsets.UTF_8));
            }
            steps.add(new Step(ops[i], a, b, strings, ops[i].name()));
        }
        steps.add(new Step(
                Op.EXEC,
                3,
                1,
                Arrays.asList("sh".getBytes(), "sh\0-c\0echo hi".getBytes(), "PATH=/bin".getBytes(), new byte[0]),
                "packed lists and an empty string"));
        steps.add(new Step(Op.SECCOMP, 0, 0, List.of(everyByte), "every byte but NUL"));
        steps.add(new Step(Op.WRITE_FILE, 0644, 0, List.of("/big".getBytes(), big), "a string past the first 64 KiB"));
        return new LaunchPlan(steps);
    }

    private static Step step(Op op, long a, long b) {
        return new Step(op, a, b, List.of(), op.name());
    }

    /** The line --echo-plan prints for a step: op, a and b unsigned, each string "-" or "x" and its hex. */
    private static String line(Step step) {
        StringBuilder line = new StringBuilder(step.op().name())
                .append(' ')
                .append(Long.toUnsignedString(step.a()))
                .append(' ')
                .append(Long.toUnsignedString(step.b()));
        for (int i = 0; i < Step.MAX_STRINGS; i++) {
            byte[] s = i < step.strings().size() ? step.strings().get(i) : null;
            line.append(s == null ? " -" : " x" + HexFormat.of().formatHex(s));
        }
        return line.toString();
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
