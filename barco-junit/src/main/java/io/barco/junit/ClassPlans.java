package io.barco.junit;

import io.barco.junit.config.BarcoKeys;
import io.barco.junit.jvm.BatchPlan;
import io.barco.junit.jvm.ClassPlan;
import io.barco.junit.jvm.Granularity;
import io.barco.junit.settings.InBarcoSettings;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Resolves a test class's JVM-mode plan, once per class context: its {@link Granularity}, whether all
 * its tests fork, and the JVM they share. Kept in the class's store, under the class's own id (a
 * store lookup also finds what enclosing contexts put there), so every callback of the class, and
 * of its tests, reads the same plan.
 */
final class ClassPlans {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClassPlans.class);

    private ClassPlans() {}

    /** The plan of this test's class, or of this class, resolved the first time it is asked for. */
    static ClassPlan of(ExtensionContext context) {
        ExtensionContext classContext = TestModes.classContext(context);
        return classContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        List.of(ClassPlan.class, classContext.getUniqueId()),
                        key -> resolve(classContext),
                        ClassPlan.class);
    }

    /**
     * The one place a class's plan is worked out. Granularity: the innermost {@link
     * InBarco#granularity()}, else the configuration parameter (an annotated class keeps its own JVM
     * under {@code run}: its settings are its own), else a JVM per class.
     */
    private static ClassPlan resolve(ExtensionContext testClass) {
        Class<?> type = testClass.getRequiredTestClass();
        boolean annotated = InBarcoDeclarations.INSTANCE.classSettings(type).isPresent();
        Granularity granularity = switch (InBarcoDeclarations.granularity(type)) {
            case METHOD -> Granularity.METHOD;
            case CLASS -> Granularity.CLASS;
            case INHERIT -> {
                String parameter = testClass
                        .getConfigurationParameter(BarcoKeys.GRANULARITY)
                        .orElse("class");
                yield switch (parameter) {
                    case "method" -> Granularity.METHOD;
                    case "run" -> annotated ? Granularity.CLASS : Granularity.RUN;
                    case "class" -> Granularity.CLASS;
                    default ->
                        throw new IllegalArgumentException(
                                "invalid " + BarcoKeys.GRANULARITY + " '" + parameter + "': use method, class or run");
                };
            }
        };
        boolean barco = TestModes.settings(testClass).isPresent();
        boolean jvmModeClass = barco && allTestsFork(type);
        if (!barco || granularity == Granularity.METHOD) {
            return new ClassPlan(testClass.getUniqueId(), granularity, jvmModeClass, Optional.empty(), false);
        }
        List<String> classes = TestPlanClasses.classIds();
        if (granularity == Granularity.RUN) {
            List<String> ids = classes.isEmpty() ? List.of(topClass(testClass).getUniqueId()) : classes;
            BatchPlan run = new BatchPlan(
                    "*",
                    "*",
                    InBarcoSettings.defaults().configuredBy(testClass::getConfigurationParameter),
                    ids,
                    false);
            boolean last = !classes.isEmpty() && classes.get(classes.size() - 1).equals(testClass.getUniqueId());
            // a class whose tests all run on the host has nothing in the run's JVM to wait for, unless it ends it
            Optional<BatchPlan> batch = last || !noTestForks(type) ? Optional.of(run) : Optional.empty();
            return new ClassPlan(testClass.getUniqueId(), granularity, jvmModeClass, batch, last);
        }
        ExtensionContext owner = owningClass(testClass);
        List<String> planned = TestPlanClasses.methodsUnder(owner.getUniqueId());
        InBarcoSettings settings = TestModes.settings(owner)
                .orElse(InBarcoSettings.defaults().configuredBy(testClass::getConfigurationParameter));
        // the next class's JVM boots while this one runs, when the plan's next class will want one like it
        boolean startNextAhead = testClass
                        .getConfigurationParameter(BarcoKeys.START_AHEAD)
                        .map(Boolean::parseBoolean)
                        .orElse(true)
                && TestPlanClasses.classAfter(topClass(owner).getUniqueId())
                        .flatMap(next -> batchSettings(next, testClass))
                        .filter(settings::equals)
                        .isPresent();
        BatchPlan batch = new BatchPlan(
                owner.getUniqueId(),
                owner.getRequiredTestClass().getName(),
                settings,
                planned.isEmpty() ? List.of(owner.getUniqueId()) : planned,
                startNextAhead);
        return new ClassPlan(
                testClass.getUniqueId(), granularity, jvmModeClass, Optional.of(batch), owner == testClass);
    }

    /** Whether every test of the class runs in a forked JVM: then nothing of the class runs on the host. */
    private static boolean allTestsFork(Class<?> type) {
        for (Method method :
                AnnotationSupport.findAnnotatedMethods(type, Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
            if (TestModes.commandMode(method)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every test of the class and of its nested classes runs on the host (command mode). */
    private static boolean noTestForks(Class<?> type) {
        for (Method method :
                AnnotationSupport.findAnnotatedMethods(type, Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
            if (!TestModes.commandMode(method)) {
                return false;
            }
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (nested.isAnnotationPresent(org.junit.jupiter.api.Nested.class) && !noTestForks(nested)) {
                return false;
            }
        }
        return true;
    }

    /** The settings a class's batch would run with: its own, or under the whole-suite switch the defaults; empty when it runs on the host. */
    private static Optional<InBarcoSettings> batchSettings(String className, ExtensionContext context) {
        Class<?> type;
        try {
            type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        Optional<InBarcoSettings> own = InBarcoDeclarations.INSTANCE.classSettings(type);
        if (own.isEmpty()
                && context.getConfigurationParameter(BarcoKeys.ALL)
                        .map(Boolean::parseBoolean)
                        .orElse(false)) {
            own = Optional.of(InBarcoSettings.defaults());
        }
        return own.map(s -> s.configuredBy(context::getConfigurationParameter));
    }

    /** The outermost class context whose settings are this class's: a nested class without its own @InBarco runs with its outer class. */
    private static ExtensionContext owningClass(ExtensionContext testClass) {
        ExtensionContext owner = testClass;
        Optional<InBarcoSettings> own = InBarcoDeclarations.INSTANCE.classSettings(owner.getRequiredTestClass());
        while (owner.getParent().isPresent()
                && owner.getParent().get().getTestClass().isPresent()
                && InBarcoDeclarations.INSTANCE
                        .classSettings(owner.getParent().get().getRequiredTestClass())
                        .equals(own)) {
            owner = owner.getParent().get();
        }
        return owner;
    }

    private static ExtensionContext topClass(ExtensionContext context) {
        ExtensionContext top = context;
        while (top.getParent().isPresent() && top.getParent().get() != context.getRoot()) {
            top = top.getParent().get();
        }
        return top;
    }
}
