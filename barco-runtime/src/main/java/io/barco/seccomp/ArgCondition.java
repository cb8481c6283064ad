package io.barco.seccomp;

/**
 * A comparison of one system call argument, as libseccomp's {@code scmp_arg_cmp}.
 * For {@link Compare#MASKED_EQ} the argument is and-ed with {@code mask} and compared to {@code value}.
 */
public record ArgCondition(int arg, Compare compare, long value, long mask) {
    /** libseccomp's {@code enum scmp_compare}, in its numbering. */
    public enum Compare {
        NE(1),
        LT(2),
        LE(3),
        EQ(4),
        GE(5),
        GT(6),
        MASKED_EQ(7);

        final int code;

        Compare(int code) {
            this.code = code;
        }
    }

    public ArgCondition {
        if (arg < 0 || arg > 5) {
            throw new IllegalArgumentException("system call argument index must be 0..5, got " + arg);
        }
    }

    public static ArgCondition eq(int arg, long value) {
        return new ArgCondition(arg, Compare.EQ, value, 0);
    }

    /** True when every bit of {@code bits} is set in the argument. */
    public static ArgCondition hasBits(int arg, long bits) {
        return new ArgCondition(arg, Compare.MASKED_EQ, bits, bits);
    }
}
