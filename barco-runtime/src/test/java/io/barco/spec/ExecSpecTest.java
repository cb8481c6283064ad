package io.barco.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.BarcoException;
import io.barco.Setting;
import org.junit.jupiter.api.Test;

/** An exec over its container's spec, without launching anything. */
class ExecSpecTest {
    private static final ContainerSpec CONTAINER = ContainerSpec.builder("/bin/sleep")
            .uid(7)
            .gid(8)
            .workdir("/srv")
            .env("KEPT", "1")
            .build();

    @Test
    void whatAnExecDoesNotSetIsItsContainers() {
        ContainerSpec spec = ExecSpec.of("id").applyTo(CONTAINER);
        assertThat(spec.uid()).isEqualTo(7);
        assertThat(spec.gid()).isEqualTo(8);
        assertThat(spec.workdir()).isEqualTo("/srv");
        assertThat(spec.env()).containsEntry("KEPT", "1");
        assertThat(spec.argv()).containsExactly("id");
    }

    @Test
    void itsUidIsItsGidTooUnlessItGivesOneAsForAContainer() {
        ContainerSpec asUid = ExecSpec.builder("id").uid(1000).build().applyTo(CONTAINER);
        assertThat(asUid.uid()).isEqualTo(1000);
        assertThat(asUid.gid()).isEqualTo(1000);
        ContainerSpec both = ExecSpec.builder("id").uid(1000).gid(5).build().applyTo(CONTAINER);
        assertThat(both.gid()).isEqualTo(5);
        ContainerSpec gidOnly = ExecSpec.builder("id").gid(5).build().applyTo(CONTAINER);
        assertThat(gidOnly.uid()).isEqualTo(7);
        assertThat(gidOnly.gid()).isEqualTo(5);
    }

    @Test
    void itsEnvironmentAddsToTheContainersAndItsWorkdirReplacesIt() {
        ContainerSpec spec = ExecSpec.builder("env")
                .env("FOO", "bar")
                .env("A B", "1")
                .workdir("/etc/")
                .build()
                .applyTo(CONTAINER);
        assertThat(spec.env())
                .containsEntry("KEPT", "1")
                .containsEntry("FOO", "bar")
                .containsEntry("A B", "1");
        assertThat(spec.workdir()).isEqualTo("/etc");
    }

    @Test
    void whatNoContainerCouldRunIsRefusedWhenBuiltAndAnIdOutsideTheMappingWhenApplied() {
        assertRefused(
                ExecSpec.builder("x").env("", "x"),
                Setting.ENV,
                "invalid environment variable name '': use NAME=VALUE");
        assertRefused(
                ExecSpec.builder("x").env("A=B", "x"),
                Setting.ENV,
                "invalid environment variable name 'A=B': use NAME=VALUE");
        assertRefused(
                ExecSpec.builder("x").workdir("srv"),
                Setting.WORKDIR,
                "working directory 'srv' is not absolute: give a path such as /srv");
        ExecSpec outside = ExecSpec.builder("x").uid(2000).build();
        assertThatThrownBy(() -> outside.applyTo(CONTAINER))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("uid 2000 is outside the mapped range 0..1999: pick a uid in it or widen the mapping")
                .satisfies(e -> assertThat(((BarcoException) e).setting()).contains(Setting.UID));
    }

    private static void assertRefused(ExecSpec.Builder exec, Setting setting, String message) {
        assertThatThrownBy(exec::build)
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((BarcoException) e).setting()).contains(setting));
    }
}
