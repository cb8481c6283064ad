package io.barco.junit;

import io.barco.junit.config.BarcoKeys;
import io.barco.junit.settings.InBarcoSettings;
import java.lang.reflect.Method;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * What runs where, from what a test declares: whether a test is barco's (its settings), whether it
 * runs on the host driving commands (command mode) or in a forked JVM (JVM mode), and which
 * lifecycle methods stay on the host. Read by the extension and by {@link ClassPlans}; it calls
 * neither.
 */
final class TestModes {
    private TestModes() {}

    /** Whether this JVM is one barco forked: there, tests run as in a plain run. */
    static boolean inForkedJvm() {
        return BarcoKeys.inForkedJvm();
    }

    /**
     * The settings of a test or class, under the configuration parameters: its annotations', or under
     * the whole-suite switch barco's defaults; empty when it is not barco's.
     */
    static Optional<InBarcoSettings> settings(ExtensionContext context) {
        Optional<InBarcoSettings> annotated = annotated(context);
        if (annotated.isEmpty()
                && context.getTestClass().isPresent()
                && context.getConfigurationParameter(BarcoKeys.ALL)
                        .map(Boolean::parseBoolean)
                        .orElse(false)) {
            annotated = Optional.of(InBarcoSettings.defaults());
        }
        return annotated.map(s -> s.configuredBy(context::getConfigurationParameter));
    }

    /** The {@code @InBarco} settings of a test or class, unconfigured; empty when none applies. */
    static Optional<InBarcoSettings> annotated(ExtensionContext context) {
        return context.getTestClass().flatMap(c -> InBarcoDeclarations.INSTANCE.settings(c, context.getTestMethod()));
    }

    /**
     * Whether a test runs on the host, driving commands: it takes a {@code BarcoContainer}, or its
     * class shares one from a {@code @BeforeAll} (a Testcontainers user's class: its tests talk to the
     * class's container, kept in a static field, and must run where that field is).
     */
    static boolean commandMode(Method method) {
        return InBarcoDeclarations.INSTANCE.runsOnHost(method);
    }

    /** Whether the method has an {@code @InBarco} of its own, or an annotation carrying one: then it gets a JVM of its own. */
    static boolean hasOwnSettings(Method method) {
        return AnnotationSupport.isAnnotated(method, InBarco.class);
    }

    static boolean takesAContainer(Method method) {
        return InBarcoDeclarations.INSTANCE.takesAContainer(method);
    }

    /**
     * Whether a lifecycle method runs on the host only: {@code @OnHost}; one that takes a {@code
     * BarcoContainer}, which starts containers; and any of a class that shares a container from its
     * {@code @BeforeAll}, whose state (the container, in a static field) is the host's. A forked JVM
     * runs the lifecycle methods of the classes enclosing a {@code @Nested} class too: these stay out.
     */
    static boolean hostOnly(Method method) {
        return method.isAnnotationPresent(OnHost.class)
                || takesAContainer(method)
                || InBarcoDeclarations.INSTANCE.sharesAContainer(method.getDeclaringClass());
    }

    /** The class context of a test (of a test template's invocation too), or the context itself when it is a class's. */
    static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }
}
