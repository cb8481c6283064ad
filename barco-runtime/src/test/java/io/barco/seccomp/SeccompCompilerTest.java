package io.barco.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoException;
import io.barco.Setting;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Compiles with the real libseccomp; needs no privilege, since nothing is loaded. */
class SeccompCompilerTest {
    private static final int BPF_RET_K = 0x06;

    @Test
    void defaultProfileCompilesToAClassicBpfProgram() {
        byte[] program = new SeccompCompiler().compile(SeccompProfile.defaults());
        assertThat(program.length).isPositive();
        assertThat(program.length % 8).isZero();
        // it ends in a return, and returns EPERM, ENOSYS and ALLOW somewhere
        ByteBuffer b = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        boolean eperm = false;
        boolean enosys = false;
        boolean allow = false;
        for (int i = 0; i < program.length; i += 8) {
            int code = b.getShort(i) & 0xffff;
            int k = b.getInt(i + 4);
            if (code == BPF_RET_K) {
                eperm |= k == 0x00050001;
                enosys |= k == 0x00050026;
                allow |= k == 0x7fff0000;
            }
        }
        assertThat(eperm).isTrue();
        assertThat(enosys).isTrue();
        assertThat(allow).isTrue();
    }

    @Test
    void eachDistinctProfileIsCompiledOnce() {
        SeccompCompiler compiler = new SeccompCompiler();
        byte[] first = compiler.compile(SeccompProfile.defaults());
        byte[] second = compiler.compile(SeccompProfile.defaults());
        assertThat(second).isSameAs(first);
        byte[] other = compiler.compile(SeccompProfile.defaults().deny("mkdir"));
        assertThat(other).isNotSameAs(first).isNotEqualTo(first);
    }

    @Test
    void callsNewerThanTheLibraryStillGetTheirRules() {
        // libseccomp 2.5.4 does not know fchmodat2 (Linux 6.6): the rule must not vanish
        byte[] without = SeccompCompiler.compileUncached(SeccompProfile.empty().deny("mkdir"));
        byte[] with = SeccompCompiler.compileUncached(SeccompProfile.empty().deny("mkdir", "fchmodat2"));
        assertThat(with.length).isGreaterThan(without.length);
    }

    @Test
    void unknownSystemCallIsAClearError() {
        assertThatThrownBy(() ->
                        new SeccompCompiler().compile(SeccompProfile.empty().deny("no_such_call")))
                .isInstanceOf(BarcoException.class)
                .hasMessage("unknown system call 'no_such_call' in the seccomp profile: check its spelling")
                .satisfies(e -> assertThat(((BarcoException) e).setting()).contains(Setting.SECCOMP_DENY));
    }
}
