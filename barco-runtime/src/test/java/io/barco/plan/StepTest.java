package io.barco.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A step refuses, when it is made, what the helper would read otherwise than Java meant it. */
class StepTest {
    @Test
    void aTextTheHelperReadsAsACStringHoldsNoNul() {
        assertThatThrownBy(() -> new Step.Mkdir("/tmp/a\0/etc", 0755, "mkdir"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path holds a NUL: /tmp/a\\0/etc");
        assertThatThrownBy(() -> new Step.Exec("sh", List.of("sh", "a\0b"), List.of(), null, "exec"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("argument holds a NUL");
        // content goes by its length: a NUL in it is written as any other byte
        assertThat(new Step.WriteFile("/f", "a\0b", 0644, false, "write").content())
                .isEqualTo("a\0b");
    }

    @Test
    void whatTheHelperNeedsIsThereAndWhatItMayGoWithoutMayBeAbsent() {
        assertThatThrownBy(() -> new Step.Mount("tmpfs", null, "tmpfs", 0, null, "mount"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("target");
        assertThatThrownBy(() -> new Step.Setsid(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("description");
        assertThat(new Step.Mount(null, "/", null, 0, null, "remount").wire().string(0))
                .isNull();
    }

    @Test
    void numbersFitWhereTheHelperPutsThem() {
        assertThatThrownBy(() -> new Step.AttachTree(Step.MAX_TREES, "/t", "attach"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no tree 64: a plan holds at most 64");
        assertThatThrownBy(() -> new Step.SetIds(0xffff_ffffL, 0, "ids"))
                .hasMessage("uid is no uid or gid: 4294967295");
        assertThatThrownBy(() -> new Step.IdmapTree(0, 0, 1L << 32, null, null, "idmap"))
                .hasMessage("hostGid is no uid or gid: 4294967296");
        assertThatThrownBy(() -> new Step.Mkfile("/f", 010000, "mkfile")).hasMessage("not a file mode: 10000");
        assertThatThrownBy(() -> new Step.DropBounding(0, 64, "drop"))
                .hasMessage("not a capability number of a 64-bit mask: 64");
        assertThatThrownBy(() -> new Step.NextPlan(-1, "next")).hasMessage("no descriptor -1");
    }

    @Test
    void aProcFileIsANameThatFitsTheHelpersPath() {
        assertThat(new Step.WriteProc("x".repeat(Step.WriteProc.MAX_FILE_BYTES), "", "write").file())
                .hasSize(49);
        assertThatThrownBy(() -> new Step.WriteProc("x".repeat(50), "", "write"))
                .hasMessageStartingWith("not a file name of at most 49 bytes in /proc/PID");
        assertThatThrownBy(() -> new Step.WriteProc("../uid_map", "", "write"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSeccompProgramIsWholeInstructionsTheHelperCanCountAndKeepsItsBytes() {
        assertThatThrownBy(() -> new Step.Seccomp(new byte[0], "seccomp"))
                .hasMessage("a seccomp program of 0 bytes is not 1 to 65535 instructions of 8 bytes");
        assertThatThrownBy(() -> new Step.Seccomp(new byte[12], "seccomp"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Step.Seccomp(new byte[8 << 16], "seccomp"))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] program = new byte[16];
        Step.Seccomp step = new Step.Seccomp(program, "seccomp");
        program[0] = 1;
        step.program()[1] = 1;
        assertThat(step.program()).containsOnly(0);
    }

    @Test
    void anExecKeepsItsOwnLists() {
        List<String> argv = new ArrayList<>(List.of("sh"));
        Step.Exec exec = new Step.Exec("sh", argv, List.of(), "/bin", "exec");
        argv.add("-c");
        assertThat(exec.argv()).containsExactly("sh");
    }

    @Test
    void aPlanHoldsNoMoreStepsThanTheHelperReads() {
        List<Step> steps = java.util.Collections.nCopies(LaunchPlan.MAX_STEPS + 1, new Step.Setsid("setsid()"));
        assertThatThrownBy(() -> new LaunchPlan(steps)).isInstanceOf(IllegalArgumentException.class);
    }
}
