package io.barco.junit.settings;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * What a test declares in barco's API ({@code @InBarco} layers, a {@code BarcoContainer} parameter),
 * read by the API package, which implements this, for the packages below it: they need what a test
 * declares, and must not depend on the package that depends on them. The host's extension passes
 * its implementation down; a forked JVM's main, which nothing passes anything to, finds it with
 * {@link #load}.
 */
public interface Declarations {
    /** The {@code @InBarco} layers that apply to {@code method} of {@code testClass}, outermost first; empty if none. */
    List<Layer> layers(Class<?> testClass, Optional<? extends AnnotatedElement> method);

    /** Whether {@code method} takes a {@code BarcoContainer}: it drives commands from the host (command mode). */
    boolean takesAContainer(Method method);

    /**
     * Whether {@code method} runs on the host, driving commands (command mode): it takes a {@code
     * BarcoContainer}, or its class shares one from a {@code @BeforeAll} and it has no {@code
     * @InBarco} of its own. A forked JVM never runs such a test: its state is the host's.
     */
    boolean runsOnHost(Method method);

    /**
     * Whether {@code type}, or a class it extends, has a {@code @BeforeAll} that takes a {@code
     * BarcoContainer}: a container shared by the class, whose lifecycle methods are the host's.
     */
    boolean sharesAContainer(Class<?> type);

    /** The settings {@link #layers} make, unconfigured; empty when no annotation applies. */
    default Optional<InBarcoSettings> settings(Class<?> testClass, Optional<? extends AnnotatedElement> method) {
        return InBarcoSettings.of(layers(testClass, method));
    }

    /** The API package's implementation, registered in its {@code META-INF/services}. */
    static Declarations load(ClassLoader loader) {
        return ServiceLoader.load(Declarations.class, loader)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no " + Declarations.class.getName() + " on the classpath: is barco-junit's jar complete?"));
    }
}
