package io.barco.junit.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.junit.InBarco;
import io.barco.junit.InBarcoDeclarations;
import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Annotations to spec, without launching anything. */
class InBarcoSettingsTest {
    /** The API package's reading of the annotations, as the extension and a forked JVM use it. */
    private static final Declarations DECLARATIONS = new InBarcoDeclarations();

    @Retention(RetentionPolicy.RUNTIME)
    @InBarco(memory = "256M", pids = 64, timeout = "30s")
    @interface TeamSandbox {}

    @InBarco(uid = 5, hostname = "outer", binds = "/srv:/srv:ro", capDrop = "CHOWN")
    static class Outer {
        @TeamSandbox
        class Inner {
            @InBarco(hostname = "method", memory = "64M", network = "host", binds = "/opt:/opt", seccompDeny = "mkdir")
            void annotated() {}

            void plain() {}
        }
    }

    @InBarco(writableRoot = true, writableRootSize = "128M")
    static class Writable {
        void plain() {}
    }

    static class Unannotated {
        void plain() {}
    }

    private static ContainerSpec spec(Class<?> type, String method) throws NoSuchMethodException {
        Method m = type.getDeclaredMethod(method);
        return DECLARATIONS
                .settings(type, Optional.of(m))
                .orElseThrow()
                .spec("/bin/true")
                .build();
    }

    @Test
    void innermostValueWinsAndListsAddUp() throws Exception {
        ContainerSpec spec = spec(Outer.Inner.class, "annotated");
        assertThat(spec.uid()).isEqualTo(5);
        assertThat(spec.hostname()).isEqualTo("method");
        assertThat(spec.limits().memoryLimit()).hasValue(64L << 20);
        assertThat(spec.limits().pidsLimit()).hasValue(64);
        assertThat(spec.timeout()).contains(Duration.ofSeconds(30));
        assertThat(spec.network()).isEqualTo(NetworkMode.HOST);
        assertThat(spec.mounts())
                .containsExactly(Mount.bind(Path.of("/srv"), "/srv", true), Mount.bind(Path.of("/opt"), "/opt", false));
        assertThat(spec.seccomp().orElseThrow().rules())
                .last()
                .satisfies(r -> assertThat(r.syscall()).isEqualTo("mkdir"));
    }

    @Test
    void metaAnnotationsAndOuterClassesApplyToPlainMethods() throws Exception {
        ContainerSpec spec = spec(Outer.Inner.class, "plain");
        assertThat(spec.hostname()).isEqualTo("outer");
        assertThat(spec.limits().memoryLimit()).hasValue(256L << 20);
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
    }

    @Test
    void capabilitiesDroppedByAnOuterLayerStayDropped() throws Exception {
        ContainerSpec root = DECLARATIONS
                .settings(Outer.class, Optional.empty())
                .orElseThrow()
                .spec("/bin/true")
                .uid(0)
                .build();
        assertThat(root.capabilities()).doesNotContain(Capability.CHOWN).contains(Capability.KILL);
    }

    @Test
    void noAnnotationNoSettings() throws Exception {
        assertThat(DECLARATIONS.settings(Unannotated.class, Optional.of(Unannotated.class.getDeclaredMethod("plain"))))
                .isEmpty();
    }

    @InBarco(timeout = "soon", pids = 0)
    static class Bad {}

    @InBarco(cpus = "many")
    static class BadCpus {}

    @Test
    void aBadValueNamesTheAttributeAndTheParameterThatSetIt() {
        assertThatThrownBy(() -> DECLARATIONS
                        .settings(Bad.class, Optional.empty())
                        .orElseThrow()
                        .spec("/bin/true"))
                .hasMessage(
                        "invalid timeout 'soon': use e.g. 30, 500ms, 1.5s, 2m30s or 1h (@InBarco(timeout), or barco.timeout)");
        assertThatThrownBy(() -> DECLARATIONS
                        .settings(BadCpus.class, Optional.empty())
                        .orElseThrow()
                        .spec("/bin/true"))
                .hasMessage(
                        "invalid cpus 'many': give a number of cores such as 0.5, or max (@InBarco(cpus), or barco.cpus)");
        // a runtime failure about a setting gets the same hint, once; one about no attribute none
        io.barco.BarcoException missing = new io.barco.BarcoException(
                "rootfs /x does not exist: give an existing directory", io.barco.Setting.ROOTFS);
        io.barco.BarcoException explained = InBarcoAttributes.explained(missing);
        assertThat(explained)
                .hasMessage("rootfs /x does not exist: give an existing directory (@InBarco(rootfs), or barco.rootfs)")
                .hasCause(missing);
        assertThat(InBarcoAttributes.explained(explained)).isSameAs(explained);
        io.barco.BarcoException noAttribute =
                new io.barco.BarcoException("x", io.barco.Setting.ALLOW_MISSING_CONTROLLERS);
        assertThat(InBarcoAttributes.explained(noAttribute)).isSameAs(noAttribute);
    }

    @Test
    void aWritableRootIsAThrowawayOverlayOfTheSizeGiven() throws Exception {
        ContainerSpec spec = spec(Writable.class, "plain");
        assertThat(spec.rootMode()).isEqualTo(io.barco.spec.RootMode.OVERLAY);
        assertThat(spec.rootOverlaySize()).isEqualTo(128L << 20);
        java.util.Map<String, String> parameters =
                java.util.Map.of("barco.writableRoot", "true", "barco.writableRootSize", "2G");
        ContainerSpec configured = InBarcoSettings.defaults()
                .configuredBy(name -> Optional.ofNullable(parameters.get(name)))
                .spec("/bin/true")
                .build();
        assertThat(configured.rootMode()).isEqualTo(io.barco.spec.RootMode.OVERLAY);
        assertThat(configured.rootOverlaySize()).isEqualTo(2L << 30);
    }

    @Test
    void configurationParametersAreTheOutermostLayerAndAnnotationsWin() throws Exception {
        java.util.Map<String, String> parameters = java.util.Map.of(
                "barco.memory",
                "512M",
                "barco.pids",
                "128",
                "barco.timeout",
                "10s",
                "barco.network",
                "host",
                "barco.jvmArgs",
                "-Xmx256m  -Dx=1");
        InBarcoSettings configured =
                InBarcoSettings.defaults().configuredBy(name -> Optional.ofNullable(parameters.get(name)));
        ContainerSpec spec = configured.spec("/bin/true").build();
        assertThat(spec.limits().memoryLimit()).hasValue(512L << 20);
        assertThat(spec.limits().pidsLimit()).hasValue(128);
        assertThat(spec.timeout()).hasValue(Duration.ofSeconds(10));
        assertThat(spec.network()).isEqualTo(NetworkMode.HOST);
        assertThat(configured.jvmArgs()).containsExactly("-Xmx256m", "-Dx=1");
        // an annotation on the test wins
        Method m = Outer.Inner.class.getDeclaredMethod("annotated");
        ContainerSpec annotated = DECLARATIONS
                .settings(Outer.Inner.class, Optional.of(m))
                .orElseThrow()
                .configuredBy(name -> Optional.ofNullable(parameters.get(name)))
                .spec("/bin/true")
                .build();
        assertThat(annotated.limits().memoryLimit()).hasValue(64L << 20);
        assertThat(annotated.limits().pidsLimit()).hasValue(64);
        // equal parameters, equal settings: forks started ahead are found again
        assertThat(InBarcoSettings.defaults().configuredBy(name -> Optional.ofNullable(parameters.get(name))))
                .isEqualTo(configured);
    }

    @Test
    void aBadParameterSaysWhichOneAndWhatToGive() {
        InBarcoSettings configured = InBarcoSettings.defaults()
                .configuredBy(name -> name.equals("barco.pids") ? Optional.of("lots") : Optional.empty());
        assertThatThrownBy(() -> configured.spec("/bin/true"))
                .hasMessage("invalid pids 'lots': give a whole number or max (@InBarco(pids), or barco.pids)");
    }

    @Test
    void parametersReadMaxAndListsAsAnnotationsDo() {
        java.util.Map<String, String> parameters = java.util.Map.of(
                "barco.pids",
                "max",
                "barco.capDrop",
                "ALL",
                "barco.capAdd",
                "KILL",
                "barco.binds",
                "/a:/a:ro, /b:/b",
                "barco.writableRoot",
                "true");
        ContainerSpec spec = InBarcoSettings.defaults()
                .configuredBy(name -> Optional.ofNullable(parameters.get(name)))
                .spec("/bin/true")
                .build();
        assertThat(spec.limits().pidsLimit()).isEmpty();
        assertThat(spec.capabilities()).containsExactly(Capability.KILL);
        assertThat(spec.mounts())
                .containsExactly(Mount.bind(Path.of("/a"), "/a", true), Mount.bind(Path.of("/b"), "/b", false));
        assertThat(spec.readOnlyRoot()).isFalse();
    }

    @Test
    void everyForkHasABoundWhichTheBuildMaySetAndABadOneIsOneLine() {
        assertThat(InBarcoSettings.defaults()
                        .configuredBy(name -> Optional.empty())
                        .forkTimeout())
                .isEqualTo(Duration.ofMinutes(60));
        assertThat(InBarcoSettings.defaults()
                        .configuredBy(name -> name.equals("barco.forkTimeout") ? Optional.of("90m") : Optional.empty())
                        .forkTimeout())
                .isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> InBarcoSettings.defaults()
                        .configuredBy(
                                name -> name.equals("barco.forkTimeout") ? Optional.of("soon") : Optional.empty()))
                .hasMessageStartingWith("barco.forkTimeout 'soon': use e.g.");
    }

    @Test
    void anImageGivenAsAParameterIsResolvedAndAFailureNamesTheAttributeAndTheParameter() {
        InBarcoSettings configured = InBarcoSettings.defaults()
                .configuredBy(
                        name -> name.equals("barco.image") ? Optional.of("oci:/no/such/layout:1") : Optional.empty());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> configured.spec("/bin/true"))
                .isInstanceOf(io.barco.BarcoException.class)
                .hasMessage(
                        "image oci:/no/such/layout:1: /no/such/layout:1 does not exist: give an existing OCI layout "
                                + "directory or archive file (@InBarco(image), or barco.image)");
        assertThat(InBarcoSettings.defaults().image()).isEmpty();
    }

    @Test
    void theMemoryLimitIsWorkedOutWithoutResolvingTheImage() {
        InBarcoSettings configured = InBarcoSettings.defaults().configuredBy(name -> switch (name) {
            case "barco.image" -> Optional.of("oci:/no/such/layout:1");
            case "barco.memory" -> Optional.of("64M");
            default -> Optional.empty();
        });
        assertThat(configured.memoryLimit()).isEqualTo(64L << 20);
        assertThat(InBarcoSettings.defaults().memoryLimit()).isEqualTo(-1);
    }
}
