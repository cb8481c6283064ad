package io.barco.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeccompProfileTest {

    @Test
    void defaultProfileHasTheSeedsRules() {
        SeccompProfile profile = SeccompProfile.defaults();
        assertThat(profile.rules())
                .extracting(SeccompRule::syscall)
                .contains(
                        "chmod",
                        "fchmod",
                        "fchmodat",
                        "unshare",
                        "clone",
                        "ioctl",
                        "keyctl",
                        "add_key",
                        "request_key",
                        "ptrace",
                        "mbind",
                        "migrate_pages",
                        "move_pages",
                        "set_mempolicy",
                        "userfaultfd",
                        "perf_event_open");
        assertThat(profile.rules())
                .filteredOn(r -> r.syscall().equals("chmod"))
                .extracting(r -> r.conditions().get(0))
                .containsExactly(ArgCondition.hasBits(1, 04000), ArgCondition.hasBits(1, 02000));
        assertThat(profile.rules())
                .filteredOn(r -> r.syscall().equals("fchmodat"))
                .allMatch(r -> r.conditions().get(0).arg() == 2);
        assertThat(profile.rules())
                .filteredOn(r -> r.syscall().equals("clone"))
                .singleElement()
                .satisfies(r -> assertThat(r.conditions()).containsExactly(ArgCondition.hasBits(0, 0x10000000)));
    }

    @Test
    void defaultProfileAlsoRefusesDockersKernelSurface() {
        assertThat(SeccompProfile.defaults().rules())
                .filteredOn(r -> r.conditions().isEmpty())
                .extracting(SeccompRule::syscall)
                .contains(
                        "open_by_handle_at",
                        "kexec_load",
                        "init_module",
                        "bpf",
                        "reboot",
                        "acct",
                        "io_uring_setup",
                        "open_tree",
                        "move_mount",
                        "fsopen",
                        "fsmount",
                        "mount_setattr");
    }

    @Test
    void clone3AnswersEnosysSoTheCLibraryFallsBackToClone() {
        assertThat(SeccompProfile.defaults().rules())
                .filteredOn(r -> r.syscall().equals("clone3"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.errno()).isEqualTo(38);
                    assertThat(r.conditions()).isEmpty();
                });
    }

    @Test
    void profilesAreDataToExtendAndTrim() {
        SeccompProfile more = SeccompProfile.defaults().deny("mkdir");
        assertThat(more.rules()).last().isEqualTo(SeccompRule.deny("mkdir"));
        assertThat(more.without("mkdir")).isEqualTo(SeccompProfile.defaults());
        assertThat(SeccompProfile.defaults().without("ptrace").rules())
                .noneMatch(r -> r.syscall().equals("ptrace"));
        assertThat(SeccompProfile.empty().isEmpty()).isTrue();
        assertThatThrownBy(() -> new SeccompRule("x", 0, java.util.List.of())).hasMessageContaining("errno");
        assertThatThrownBy(() -> ArgCondition.eq(6, 0)).hasMessageContaining("0..5");
    }
}
