package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import org.junit.jupiter.api.Test;

class ForkedTestRunnerTest {

    @Test
    void commandModeNamesTheParameterClassOfTheApi() throws Exception {
        assertThat(ForkedTestRunner.COMMAND_MODE_PARAMETER).isEqualTo(BarcoContainer.class.getName());
        assertThat(ForkedTestRunner.commandMode(Tests.class.getDeclaredMethod("command", BarcoContainer.class)))
                .isTrue();
        assertThat(ForkedTestRunner.commandMode(Tests.class.getDeclaredMethod("jvm")))
                .isFalse();
    }

    @SuppressWarnings("unused")
    private static final class Tests {
        void command(BarcoContainer barco) {}

        void jvm() {}
    }
}
