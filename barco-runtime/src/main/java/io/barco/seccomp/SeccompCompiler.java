package io.barco.seccomp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.sys.Descriptors;
import io.barco.sys.Errno;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles a {@link SeccompProfile} to a classic BPF program with libseccomp. Compiling is the
 * expensive part of a launch, so each distinct profile is compiled once per compiler (a runtime
 * keeps one) and the exported program reused, as crun does. The library is loaded once per JVM.
 */
public final class SeccompCompiler {
    private static final int ARG_CMP_SIZE = 24;
    private static final int SCMP_ERROR = -1;

    /**
     * x86-64 numbers of calls newer than some libseccomp releases (2.5.4 does not know fchmodat2):
     * a rule must not silently vanish because the library is older than the kernel.
     */
    private static final Map<String, Integer> X86_64_FALLBACK = Map.ofEntries(
            Map.entry("io_uring_setup", 425),
            Map.entry("io_uring_enter", 426),
            Map.entry("io_uring_register", 427),
            Map.entry("open_tree", 428),
            Map.entry("move_mount", 429),
            Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431),
            Map.entry("fsmount", 432),
            Map.entry("fspick", 433),
            Map.entry("clone3", 435),
            Map.entry("mount_setattr", 442),
            Map.entry("quotactl_fd", 443),
            Map.entry("fchmodat2", 452));

    private static volatile LibSeccomp library;

    private final Map<SeccompProfile, byte[]> compiled = new ConcurrentHashMap<>();

    /** The BPF program (an array of 8-byte sock_filter) for the profile; do not modify it. */
    public byte[] compile(SeccompProfile profile) {
        return compiled.computeIfAbsent(profile, SeccompCompiler::compileUncached);
    }

    static byte[] compileUncached(SeccompProfile profile) {
        LibSeccomp seccomp = library();
        Pointer ctx = seccomp.seccomp_init(LibSeccomp.SCMP_ACT_ALLOW);
        if (ctx == null) {
            throw new BarcoException("seccomp_init failed: out of memory");
        }
        try {
            // The helper sets no_new_privs itself, as its own step.
            seccomp.seccomp_attr_set(ctx, LibSeccomp.SCMP_FLTATR_CTL_NNP, 0);
            for (SeccompRule rule : profile.rules()) {
                add(seccomp, ctx, rule);
            }
            int memfd = Descriptors.memfd("barco-seccomp", new byte[0]);
            try {
                check(seccomp.seccomp_export_bpf(ctx, memfd), "seccomp_export_bpf");
                return Descriptors.readFromStart(memfd);
            } finally {
                Descriptors.closeQuietly(memfd);
            }
        } finally {
            seccomp.seccomp_release(ctx);
        }
    }

    private static void add(LibSeccomp seccomp, Pointer ctx, SeccompRule rule) {
        int number = syscallNumber(seccomp, rule.syscall());
        int count = rule.conditions().size();
        Memory args = null;
        if (count > 0) {
            args = new Memory((long) ARG_CMP_SIZE * count);
            args.clear();
            for (int i = 0; i < count; i++) {
                ArgCondition c = rule.conditions().get(i);
                long base = (long) i * ARG_CMP_SIZE;
                args.setInt(base, c.arg());
                args.setInt(base + 4, c.compare().code);
                // for MASKED_EQ libseccomp takes the mask first, then the value
                args.setLong(base + 8, c.compare() == ArgCondition.Compare.MASKED_EQ ? c.mask() : c.value());
                args.setLong(base + 16, c.compare() == ArgCondition.Compare.MASKED_EQ ? c.value() : 0);
            }
        }
        check(
                seccomp.seccomp_rule_add_array(ctx, LibSeccomp.errnoAction(rule.errno()), number, count, args),
                "seccomp rule for " + rule.syscall());
    }

    static int syscallNumber(LibSeccomp seccomp, String name) {
        int number = seccomp.seccomp_syscall_resolve_name(name);
        if (number != SCMP_ERROR && number >= 0) {
            return number;
        }
        Integer fallback = "amd64".equals(System.getProperty("os.arch")) ? X86_64_FALLBACK.get(name) : null;
        if (fallback != null) {
            return fallback;
        }
        throw new BarcoException(
                "unknown system call '" + name + "' in the seccomp profile: check its spelling", Setting.SECCOMP_DENY);
    }

    private static void check(int rc, String what) {
        if (rc < 0) {
            throw new BarcoException(what + ": " + Errno.describe(-rc));
        }
    }

    private static LibSeccomp library() {
        LibSeccomp lib = library;
        if (lib == null) {
            synchronized (SeccompCompiler.class) {
                lib = library;
                if (lib == null) {
                    try {
                        lib = Native.load("libseccomp.so.2", LibSeccomp.class);
                    } catch (UnsatisfiedLinkError e) {
                        throw new BarcoException(
                                "libseccomp.so.2 not found: install libseccomp2 (apt-get install libseccomp2)", e);
                    }
                    library = lib;
                }
            }
        }
        return lib;
    }
}
