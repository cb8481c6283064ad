package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarcoDeclarations;
import io.barco.junit.settings.Declarations;
import org.junit.jupiter.api.Test;

class ForkedTestRunnerTest {

    @Test
    void aForkedJvmFindsTheApiPackagesDeclarationsByServiceLoader() throws Exception {
        Declarations declarations = Declarations.load(ForkedTestRunner.class.getClassLoader());
        assertThat(declarations).isInstanceOf(InBarcoDeclarations.class);
        assertThat(declarations.takesAContainer(Tests.class.getDeclaredMethod("command", BarcoContainer.class)))
                .isTrue();
        assertThat(declarations.takesAContainer(Tests.class.getDeclaredMethod("jvm")))
                .isFalse();
    }

    @SuppressWarnings("unused")
    private static final class Tests {
        void command(BarcoContainer barco) {}

        void jvm() {}
    }
}
