package io.barco.junit;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * JVM-mode tests that share a forked JVM: a class's ({@code class} granularity, the default) or a whole
 * run's ({@code run}). The JVM runs the class as a plain run would — its {@code @BeforeAll}, static
 * state, {@code @AfterAll} and class-level extensions — and the host replays each test's outcome. A
 * failure of the class itself in the fork (its {@code @BeforeAll} threw, or its {@code @AfterAll}) is
 * the host's class's failure too, so reports count it as a plain run does.
 */
final class ClassForks {
    enum Granularity { METHOD, CLASS, RUN }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClassForks.class);

    private ClassForks() {
    }

    /**
     * How the JVM-mode tests of this context are forked: a method with an {@code @InBarco} of its own
     * gets its own JVM; else the innermost {@link InBarco#granularity()}, else the configuration
     * parameter (an annotated class keeps its own JVM under {@code run}: its settings are its own),
     * else a JVM per class.
     */
    static Granularity granularity(ExtensionContext context) {
        if (context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, InBarco.class)).orElse(false)) {
            return Granularity.METHOD;
        }
        Optional<InBarcoSettings> annotated = context.getTestClass().flatMap(c -> InBarcoSettings.of(c, Optional.empty()));
        Optional<InBarco.Granularity> chosen = annotated.flatMap(InBarcoSettings::granularity);
        if (chosen.isPresent()) {
            return chosen.get() == InBarco.Granularity.METHOD ? Granularity.METHOD : Granularity.CLASS;
        }
        String parameter = context.getConfigurationParameter(BarcoExtension.GRANULARITY_PARAMETER).orElse("class");
        return switch (parameter) {
            case "method" -> Granularity.METHOD;
            case "run" -> annotated.isPresent() ? Granularity.CLASS : Granularity.RUN;
            case "class" -> Granularity.CLASS;
            default -> throw new IllegalArgumentException("invalid " + BarcoExtension.GRANULARITY_PARAMETER + " '" + parameter
                    + "': use method, class or run");
        };
    }

    /** Whether all tests of this class context run in forked JVMs: then nothing of the class runs on the host. */
    static boolean jvmModeClass(ExtensionContext context) {
        if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty() || BarcoExtension.settings(context).isEmpty()) {
            return false;
        }
        for (Method method : AnnotationSupport.findAnnotatedMethods(context.getRequiredTestClass(), Testable.class,
                HierarchyTraversalMode.TOP_DOWN)) {
            if (BarcoExtension.commandMode(method)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The outcome of this test from the JVM that runs its class (or the run); null when the test is
     * not among what that JVM ran (it runs on its own).
     */
    static ForkedTest.Outcome outcome(ExtensionContext test) {
        BatchRun batch = batch(test);
        ForkedTest.Batch result = batch.result();
        if (batch.firstToReport()) {
            result.usage().ifPresent(usage -> BarcoExtension.publish(test, usage));
        }
        return result.outcomeOf(test.getUniqueId(), true);
    }

    /** Before a class: its fork runs now; a failure of the class there before any test started is the class's failure here. */
    static void beforeAll(ExtensionContext testClass) throws Throwable {
        rethrowClassFailure(testClass, false);
    }

    /** After a class: a failure of the class in its fork after its tests started (its @AfterAll) is the class's failure here. */
    static void afterAll(ExtensionContext testClass) throws Throwable {
        rethrowClassFailure(testClass, true);
    }

    private static void rethrowClassFailure(ExtensionContext testClass, boolean afterTests) throws Throwable {
        if (!jvmModeClass(testClass) || granularity(testClass) == Granularity.METHOD) {
            return;
        }
        Throwable failure = batch(testClass).result().classFailure(testClass.getUniqueId(), afterTests);
        if (failure != null) {
            throw failure;
        }
    }

    /** The batch this context's tests belong to, stored where it ends: with the owning class, or the run. */
    private static BatchRun batch(ExtensionContext context) {
        Granularity granularity = granularity(context);
        ExtensionContext owner;
        String batchName;
        List<String> ids;
        if (granularity == Granularity.RUN) {
            owner = context.getRoot();
            batchName = "*";
            List<String> classes = TestPlanClasses.classIds();
            ids = classes.isEmpty() ? List.of(topClass(context).getUniqueId()) : classes;
        } else {
            owner = owningClass(context);
            batchName = owner.getRequiredTestClass().getName();
            List<String> planned = TestPlanClasses.methodsUnder(owner.getUniqueId());
            ids = planned.isEmpty() ? List.of(owner.getUniqueId()) : planned;
        }
        InBarcoSettings settings = granularity == Granularity.RUN
                ? InBarcoSettings.defaults().configuredBy(context::getConfigurationParameter)
                : BarcoExtension.settings(owner).orElse(InBarcoSettings.defaults().configuredBy(context::getConfigurationParameter));
        boolean moreToCome = granularity != Granularity.RUN;
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(BatchRun.class,
                k -> new BatchRun(settings, batchName, ids, moreToCome), BatchRun.class);
    }

    /** The outermost class context whose settings are this context's class's: a nested class without its own @InBarco runs with its outer class. */
    private static ExtensionContext owningClass(ExtensionContext context) {
        ExtensionContext owner = context;
        while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
            owner = owner.getParent().get();
        }
        Optional<InBarcoSettings> own = InBarcoSettings.of(owner.getRequiredTestClass(), Optional.empty());
        while (owner.getParent().isPresent() && owner.getParent().get().getTestClass().isPresent()
                && InBarcoSettings.of(owner.getParent().get().getRequiredTestClass(), Optional.empty()).equals(own)) {
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

    /** One forked JVM for many tests, started by the first of them (or their class) to need it. */
    private static final class BatchRun {
        private final InBarcoSettings settings;
        private final String name;
        private final List<String> ids;
        private final boolean moreToCome;
        private final AtomicBoolean reported = new AtomicBoolean();
        private ForkedTest.Batch result;

        BatchRun(InBarcoSettings settings, String name, List<String> ids, boolean moreToCome) {
            this.settings = settings;
            this.name = name;
            this.ids = ids;
            this.moreToCome = moreToCome;
        }

        synchronized ForkedTest.Batch result() {
            if (result == null) {
                try {
                    result = ForkedTest.runBatch(settings, name, ids, moreToCome);
                } catch (IOException | RuntimeException e) {
                    result = ForkedTest.Batch.failed(e, Optional.empty());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result = ForkedTest.Batch.failed(e, Optional.empty());
                }
            }
            return result;
        }

        boolean firstToReport() {
            return reported.compareAndSet(false, true);
        }
    }
}
