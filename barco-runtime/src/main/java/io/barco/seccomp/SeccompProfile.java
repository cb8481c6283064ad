package io.barco.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A seccomp profile as data: everything is allowed except what the rules refuse. Callers extend the
 * default with {@link #deny} and {@link #with}, drop rules with {@link #without}, or replace it whole.
 * Equal profiles compile to the same program, which is compiled once per JVM.
 */
public record SeccompProfile(List<SeccompRule> rules) {
    private static final long S_ISUID = 04000;
    private static final long S_ISGID = 02000;
    private static final long CLONE_NEWUSER = 0x10000000L;
    private static final long TIOCSTI = 0x5412;
    private static final long LOW_32_BITS = 0xFFFF_FFFFL;

    /** System calls the default profile refuses outright. */
    static final List<String> DENIED = List.of(
            // the seed's rules
            "keyctl",
            "add_key",
            "request_key",
            "ptrace",
            "mbind",
            "migrate_pages",
            "move_pages",
            "set_mempolicy",
            "userfaultfd",
            "perf_event_open",
            // the kernel surface Docker's default profile also refuses
            "open_by_handle_at",
            "name_to_handle_at",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "bpf",
            "iopl",
            "ioperm",
            "swapon",
            "swapoff",
            "reboot",
            "acct",
            "quotactl",
            "quotactl_fd",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            // reaching into another process, which Docker allows only with CAP_SYS_PTRACE
            "process_vm_readv",
            "process_vm_writev",
            "pidfd_getfd",
            "kcmp",
            // the new mount API: a detached tree's read-only flag is not locked against container root
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr");

    public SeccompProfile {
        rules = List.copyOf(rules);
    }

    /** The seed's rules and more; see {@link #DENIED}. */
    public static SeccompProfile defaults() {
        List<SeccompRule> rules = new ArrayList<>();
        // No set-user-ID or set-group-ID files: the mode is argument 1 of chmod and fchmod, 2 of fchmodat.
        for (long bit : new long[] {S_ISUID, S_ISGID}) {
            rules.add(SeccompRule.deny("chmod", ArgCondition.hasBits(1, bit)));
            rules.add(SeccompRule.deny("fchmod", ArgCondition.hasBits(1, bit)));
            rules.add(SeccompRule.deny("fchmodat", ArgCondition.hasBits(2, bit)));
            rules.add(SeccompRule.deny("fchmodat2", ArgCondition.hasBits(2, bit)));
            // nor created so: a file made in a writable idmapped bind belongs to the host's root
            rules.add(SeccompRule.deny("open", ArgCondition.hasBits(2, bit)));
            rules.add(SeccompRule.deny("openat", ArgCondition.hasBits(3, bit)));
            rules.add(SeccompRule.deny("creat", ArgCondition.hasBits(1, bit)));
            rules.add(SeccompRule.deny("mknod", ArgCondition.hasBits(1, bit)));
            rules.add(SeccompRule.deny("mknodat", ArgCondition.hasBits(2, bit)));
        }
        // openat2 passes its mode in memory, out of the filter's sight; ENOSYS makes callers use openat.
        rules.add(SeccompRule.fail("openat2", SeccompRule.ENOSYS));
        // No new user namespace: inside one, container root would regain every capability.
        rules.add(SeccompRule.deny("unshare", ArgCondition.hasBits(0, CLONE_NEWUSER)));
        rules.add(SeccompRule.deny("clone", ArgCondition.hasBits(0, CLONE_NEWUSER)));
        // clone3 passes its flags in memory, out of the filter's sight; ENOSYS makes the C library use clone.
        rules.add(SeccompRule.fail("clone3", SeccompRule.ENOSYS));
        // No typing into the controlling terminal of whoever started us.
        rules.add(SeccompRule.deny("ioctl", new ArgCondition(1, ArgCondition.Compare.MASKED_EQ, TIOCSTI, LOW_32_BITS)));
        for (String name : DENIED) {
            rules.add(SeccompRule.deny(name));
        }
        return new SeccompProfile(rules);
    }

    /** No rules at all. A container launched with it still gets no_new_privs. */
    public static SeccompProfile empty() {
        return new SeccompProfile(List.of());
    }

    public SeccompProfile with(SeccompRule... more) {
        List<SeccompRule> all = new ArrayList<>(rules);
        all.addAll(List.of(more));
        return new SeccompProfile(all);
    }

    /** Also refuse these calls with EPERM. */
    public SeccompProfile deny(String... syscalls) {
        return with(java.util.Arrays.stream(syscalls).map(SeccompRule::deny).toArray(SeccompRule[]::new));
    }

    /** Drop every rule about these calls. */
    public SeccompProfile without(String... syscalls) {
        Set<String> names = Set.of(syscalls);
        return new SeccompProfile(
                rules.stream().filter(r -> !names.contains(r.syscall())).toList());
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }
}
