package io.barco.seccomp;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** The part of libseccomp (libseccomp.so.2, present on every Debian system) barco calls. */
interface LibSeccomp extends Library {
    int SCMP_ACT_ALLOW = 0x7fff0000;
    int SCMP_FLTATR_CTL_NNP = 3;

    static int errnoAction(int errno) {
        return 0x00050000 | (errno & 0x0000ffff);
    }

    Pointer seccomp_init(int defaultAction);

    void seccomp_release(Pointer ctx);

    int seccomp_attr_set(Pointer ctx, int attribute, int value);

    int seccomp_syscall_resolve_name(String name);

    /** The array form of the variadic seccomp_rule_add; {@code args} is {@code argCount} 24-byte scmp_arg_cmp. */
    int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int argCount, Pointer args);

    int seccomp_export_bpf(Pointer ctx, int fd);
}
