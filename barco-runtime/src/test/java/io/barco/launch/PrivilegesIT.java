package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.seccomp.SeccompProfile;
import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Capabilities, no_new_privs and seccomp, as /proc/self/status and denied calls show them inside. */
@RequiresContainers
class PrivilegesIT {
    private static final String STATUS =
            "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status";

    private static String field(String status, String name) {
        return status.lines()
                .filter(l -> l.startsWith(name + ":"))
                .findFirst()
                .orElseThrow()
                .substring(name.length() + 1)
                .trim();
    }

    @Test
    void rootKeepsAllButTheSeedsDropList() throws Exception {
        String status = Sh.output(STATUS);
        String expected = String.format("%016x", Capability.mask(Capability.defaults()));
        assertThat(field(status, "CapBnd")).isEqualTo(expected);
        assertThat(field(status, "CapEff")).isEqualTo(expected);
        assertThat(field(status, "CapPrm")).isEqualTo(expected);
        assertThat(field(status, "CapInh")).isEqualTo(expected);
        assertThat(field(status, "CapAmb")).isEqualTo("0000000000000000");
        assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
        assertThat(field(status, "Seccomp")).isEqualTo("2");
        long bounding = Long.parseLong(field(status, "CapBnd"), 16);
        for (Capability dropped : Capability.DROPPED_BY_DEFAULT) {
            assertThat(bounding & (1L << dropped.number())).as(dropped.name()).isZero();
        }
    }

    @Test
    void nonRootUserKeepsNoCapability() throws Exception {
        String status = Sh.output(Sh.spec(STATUS).uid(1000));
        for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
            assertThat(field(status, set)).as(set).isEqualTo("0000000000000000");
        }
        assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
    }

    @Test
    void capabilitiesCanBeAddedAndDropped() throws Exception {
        String status = Sh.output(Sh.spec(STATUS).capabilities(EnumSet.of(Capability.CHOWN, Capability.SYS_ADMIN)));
        long expected = (1L << 0) | (1L << 21);
        assertThat(Long.parseLong(field(status, "CapEff"), 16)).isEqualTo(expected);
        assertThat(Long.parseLong(field(status, "CapBnd"), 16)).isEqualTo(expected);
    }

    @Test
    void droppedCapabilityIsEnforced() throws Exception {
        // CAP_CHOWN is kept by default: container root may give a file away; without it, EPERM
        String script = "touch /tmp/f && chown 1:1 /tmp/f 2>&1 && echo chowned";
        assertThat(Sh.output(script)).isEqualTo("chowned\n");
        assertThat(Sh.run(Sh.spec(script).dropCapabilities(Capability.CHOWN)).stdout())
                .contains("Operation not permitted");
    }

    /** errno of a raw system call, printed by perl: 0 when it succeeded. */
    private static String errnoOf(String perlCall) throws InterruptedException {
        // perl insists on writable buffers for string arguments of syscall(): pass variables
        String script = "my ($f, $root, $none) = ('/tmp/f', '/', ''); open F, '>', $f; close F; $! = 0;" + " my $r = "
                + perlCall + "; print $r == -1 || !$r ? ($!+0) : 0";
        return Sh.output(ContainerSpec.builder("perl").args("-e", script)).trim();
    }

    @ParameterizedTest(name = "{0} -> errno {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "chmod setuid                | chmod(04755, $f)                  | 1",
                "chmod setgid                | chmod(02755, $f)                  | 1",
                "fchmodat setuid             | syscall(268, -100, $f, 04755)     | 1",
                "fchmodat2 setuid            | syscall(452, -100, $f, 04755, 0)  | 1",
                "open creating setuid        | syscall(2, $f, 0x41, 04755)       | 1",
                "openat creating setgid      | syscall(257, -100, $f, 0x41, 02755) | 1",
                "creat setuid                | syscall(85, $f, 04755)            | 1",
                "mknod setuid                | syscall(133, $f, 0104755, 0)      | 1",
                "mknodat setuid              | syscall(259, -100, $f, 0104755, 0) | 1",
                "openat2 is ENOSYS           | syscall(437, -100, $f, 0, 0)      | 38",
                "open creating 0644 works    | syscall(2, $f, 0x41, 0644)        | 0",
                "unshare CLONE_NEWUSER       | syscall(272, 0x10000000)                | 1",
                "clone3 is ENOSYS            | syscall(435, 0, 0)                      | 38",
                "keyctl                      | syscall(250, 0, 0)                      | 1",
                "add_key                     | syscall(248, 0, 0, 0, 0, 0)             | 1",
                "ptrace                      | syscall(101, 0, 0, 0, 0)                | 1",
                "userfaultfd                 | syscall(323, 0)                         | 1",
                "perf_event_open             | syscall(298, 0, 0, -1, -1, 0)           | 1",
                "bpf                         | syscall(321, 0, 0, 0)                   | 1",
                "io_uring_setup              | syscall(425, 1, 0)                      | 1",
                "open_tree                   | syscall(428, -100, $root, 1)              | 1",
                "mount_setattr               | syscall(442, -100, $root, 0, 0, 0)        | 1",
                "set_mempolicy               | syscall(238, 0, 0, 0)                   | 1",
                "kexec_load                  | syscall(246, 0, 0, 0, 0)                | 1",
                "init_module                 | syscall(175, 0, 0, $none)                  | 1",
                "reboot                      | syscall(169, 0, 0, 0, 0)                | 1",
                "chmod without setuid works  | chmod(0755, $f)                   | 0",
            })
    void seccompRefusesTheSeedsAndDockersCalls(String what, String call, String errno) throws Exception {
        assertThat(errnoOf(call)).as(what).isEqualTo(errno);
    }

    @Test
    void unshareOfAUserNamespaceFailsAndForkStillWorks() throws Exception {
        var result = Sh.run("unshare -U true 2>&1; echo rc=$?; (echo forked) ; sh -c 'echo nested'");
        assertThat(result.stdout())
                .contains("Operation not permitted")
                .contains("rc=1")
                .contains("forked\nnested");
    }

    @Test
    void profileIsDataCallersExtend() throws Exception {
        var spec = Sh.spec("mkdir /tmp/d 2>&1; echo rc=$?")
                .seccomp(SeccompProfile.defaults().deny("mkdir"));
        assertThat(Sh.run(spec).stdout()).contains("Operation not permitted").contains("rc=1");
    }

    @Test
    void withoutSeccompNoNewPrivsStaysSet() throws Exception {
        String status = Sh.output(Sh.spec(STATUS).seccomp(null));
        assertThat(field(status, "Seccomp")).isEqualTo("0");
        assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
    }
}
