package io.barco.junit;

import io.barco.junit.settings.Declarations;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.junit.settings.Layer;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Reads what a test declares in this package's API for the packages below it ({@link Declarations}):
 * the {@link InBarco} layers of a test, outer classes first, then the class (or an annotation that
 * carries {@code @InBarco}), then the method, each as a {@link Layer}. Public only so that a forked
 * JVM's main finds it through {@code META-INF/services}; not for user code.
 */
public final class InBarcoDeclarations implements Declarations {
    /** Stateless: one serves the whole JVM. */
    static final InBarcoDeclarations INSTANCE = new InBarcoDeclarations();

    /** For {@link java.util.ServiceLoader}; the extension uses {@link #INSTANCE}. */
    public InBarcoDeclarations() {}

    @Override
    public List<Layer> layers(Class<?> testClass, Optional<? extends AnnotatedElement> method) {
        List<Layer> layers = new ArrayList<>();
        for (InBarco annotation : annotations(testClass)) {
            layers.add(layer(annotation));
        }
        method.flatMap(m -> AnnotationSupport.findAnnotation(m, InBarco.class))
                .map(InBarcoDeclarations::layer)
                .ifPresent(layers::add);
        return layers;
    }

    @Override
    public boolean takesAContainer(Method method) {
        return hasAContainerParameter(method);
    }

    private static boolean hasAContainerParameter(Method method) {
        return Arrays.asList(method.getParameterTypes()).contains(BarcoContainer.class);
    }

    @Override
    public boolean runsOnHost(Method method) {
        // a test with an @InBarco of its own gets a JVM of its own, in such a class too (docs/junit.md)
        return takesAContainer(method)
                || (!method.isAnnotationPresent(InBarco.class) && sharesAContainer(method.getDeclaringClass()));
    }

    @Override
    public boolean sharesAContainer(Class<?> type) {
        return SHARES_A_CONTAINER.get(type);
    }

    /** Worked out once per class, and gone with it (a ClassValue): nothing else of the run is kept here. */
    private static final ClassValue<Boolean> SHARES_A_CONTAINER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return AnnotationSupport.findAnnotatedMethods(
                            type, org.junit.jupiter.api.BeforeAll.class, HierarchyTraversalMode.TOP_DOWN)
                    .stream()
                    .anyMatch(InBarcoDeclarations::hasAContainerParameter);
        }
    };

    /** The class's settings and its enclosing classes', unconfigured; empty when none is annotated. */
    Optional<InBarcoSettings> classSettings(Class<?> testClass) {
        return settings(testClass, Optional.empty());
    }

    /**
     * The innermost granularity an annotation of the class or its enclosing classes sets: the only
     * attribute that is not a container setting, so it is read here, where the plan is resolved,
     * and never becomes part of a {@link Layer}.
     */
    static InBarco.Granularity granularity(Class<?> testClass) {
        InBarco.Granularity found = InBarco.Granularity.INHERIT;
        for (InBarco annotation : annotations(testClass)) {
            if (annotation.granularity() != InBarco.Granularity.INHERIT) {
                found = annotation.granularity();
            }
        }
        return found;
    }

    /** The annotations of the class and its enclosing classes, outermost first. */
    private static List<InBarco> annotations(Class<?> testClass) {
        Deque<Class<?>> classes = new ArrayDeque<>();
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            classes.addFirst(c);
        }
        List<InBarco> annotations = new ArrayList<>();
        for (Class<?> c : classes) {
            AnnotationSupport.findAnnotation(c, InBarco.class).ifPresent(annotations::add);
        }
        return annotations;
    }

    private static Layer layer(InBarco a) {
        return new Layer(
                a.uid(),
                a.rootfs(),
                a.image(),
                a.memory(),
                a.cpus(),
                a.cpuWeight(),
                a.pids(),
                a.network(),
                a.hostname(),
                List.of(a.binds()),
                List.of(a.tmpfs()),
                a.writableRoot(),
                a.writableRootSize(),
                List.of(a.capAdd()),
                List.of(a.capDrop()),
                List.of(a.seccompDeny()),
                a.timeout());
    }
}
