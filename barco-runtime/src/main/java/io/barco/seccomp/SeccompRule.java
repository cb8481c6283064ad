package io.barco.seccomp;

import java.util.List;
import java.util.Objects;

/** One rule: the call {@code syscall}, when all {@code conditions} hold, fails with {@code errno}. */
public record SeccompRule(String syscall, int errno, List<ArgCondition> conditions) {
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;

    public SeccompRule {
        Objects.requireNonNull(syscall, "syscall");
        if (errno < 1 || errno > 4095) {
            throw new IllegalArgumentException("errno must be 1..4095, got " + errno);
        }
        conditions = List.copyOf(conditions);
    }

    public static SeccompRule deny(String syscall, ArgCondition... conditions) {
        return new SeccompRule(syscall, EPERM, List.of(conditions));
    }

    public static SeccompRule fail(String syscall, int errno) {
        return new SeccompRule(syscall, errno, List.of());
    }
}
