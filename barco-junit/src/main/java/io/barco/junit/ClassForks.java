package io.barco.junit;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.outcome.Outcomes;
import io.barco.junit.report.UsageReport;
import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
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
    enum Granularity {
        METHOD,
        CLASS,
        RUN
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClassForks.class);

    private ClassForks() {}

    /**
     * How the JVM-mode tests of this context are forked: a method with an {@code @InBarco} of its own
     * gets its own JVM; else the innermost {@link InBarco#granularity()}, else the configuration
     * parameter (an annotated class keeps its own JVM under {@code run}: its settings are its own),
     * else a JVM per class.
     */
    static Granularity granularity(ExtensionContext context) {
        if (context.getTestMethod()
                .map(m -> AnnotationSupport.isAnnotated(m, InBarco.class))
                .orElse(false)) {
            return Granularity.METHOD;
        }
        Optional<InBarcoSettings> annotated =
                context.getTestClass().flatMap(c -> InBarcoSettings.of(c, Optional.empty()));
        Optional<InBarco.Granularity> chosen = annotated.flatMap(InBarcoSettings::granularity);
        if (chosen.isPresent()) {
            return chosen.get() == InBarco.Granularity.METHOD ? Granularity.METHOD : Granularity.CLASS;
        }
        String parameter = context.getConfigurationParameter(BarcoExtension.GRANULARITY_PARAMETER)
                .orElse("class");
        return switch (parameter) {
            case "method" -> Granularity.METHOD;
            case "run" -> annotated.isPresent() ? Granularity.CLASS : Granularity.RUN;
            case "class" -> Granularity.CLASS;
            default ->
                throw new IllegalArgumentException("invalid " + BarcoExtension.GRANULARITY_PARAMETER + " '" + parameter
                        + "': use method, class or run");
        };
    }

    /** Whether all tests of this class context run in forked JVMs: then nothing of the class runs on the host. */
    static boolean jvmModeClass(ExtensionContext context) {
        if (context.getTestMethod().isPresent()
                || context.getTestClass().isEmpty()
                || BarcoExtension.settings(context).isEmpty()) {
            return false;
        }
        for (Method method : AnnotationSupport.findAnnotatedMethods(
                context.getRequiredTestClass(), Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
            if (BarcoExtension.commandMode(method)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The outcome of this test from the JVM that runs its class (or the run), as soon as that JVM
     * reported it (the host's test ends with the fork's, so reports time each test and its output
     * comes while it runs); null when the test is not among what that JVM ran (it runs on its own).
     */
    static ForkedTest.Outcome outcome(ExtensionContext test) throws InterruptedException {
        BatchRun batch = batch(test);
        String id = test.getUniqueId();
        ForkedTest.Batch ended = batch.await(soFar -> decided(soFar, id));
        ForkedTest.Outcome outcome = ended != null
                ? ended.outcomeOf(id, true)
                : new ForkedTest.Batch(batch.soFar(), null, Optional.empty(), "is running").outcomeOf(id, true);
        if (outcome == null) {
            return null;
        }
        ForkedTest.Outcome own = outcome.withUsage(spentBy(ended != null ? ended.outcomes() : batch.soFar(), id));
        own.usage().ifPresent(usage -> BarcoExtension.publish(test, usage, UsageReport.Measure.BATCH_JVM));
        return own;
    }

    /** Whether the outcomes so far decide this test's: its own came, or a container above it failed, or the report is no longer believed. */
    private static boolean decided(Outcomes soFar, String id) {
        return soFar.outcomeOf(id) != null || soFar.failedContainerAbove(id) != null || soFar.stopped() != null;
    }

    /**
     * What this test spent as its JVM measured it: wall and CPU time while it ran, and the JVM's
     * resident memory at its highest meanwhile (the JVM's cgroup figures are the batch's, reported
     * with its class); empty when it has no record of its own.
     */
    private static Optional<ResourceUsage> spentBy(Outcomes outcomes, String id) {
        OutcomeFile.TestOutcome o = outcomes.outcomeOf(id);
        if (o == null || o.spent().wallNanos() < 0) {
            return Optional.empty();
        }
        OutcomeFile.Spent spent = o.spent();
        OptionalLong peak =
                spent.peakResidentBytes() >= 0 ? OptionalLong.of(spent.peakResidentBytes()) : OptionalLong.empty();
        return Optional.of(new ResourceUsage(
                peak,
                nanos(spent.cpuUserNanos()),
                nanos(spent.cpuSystemNanos()),
                OptionalLong.empty(),
                false,
                0,
                OptionalLong.empty(),
                OptionalLong.empty(),
                Duration.ofNanos(spent.wallNanos())));
    }

    private static Optional<Duration> nanos(long n) {
        return n >= 0 ? Optional.of(Duration.ofNanos(n)) : Optional.empty();
    }

    /** Before a class: its fork runs now; a failure of the class there before any test started is the class's failure here. */
    static void beforeAll(ExtensionContext testClass) throws Throwable {
        if (!jvmModeClass(testClass) || granularity(testClass) == Granularity.METHOD) {
            return;
        }
        String classId = testClass.getUniqueId();
        BatchRun batch = batch(testClass);
        // decided once one of its tests started, or the class itself ended (its @BeforeAll failed, or it ran nothing)
        ForkedTest.Batch ended = batch.await(soFar ->
                soFar.testStartedUnder(classId) || soFar.outcomeOf(classId) != null || soFar.stopped() != null);
        Throwable failure = (ended != null
                        ? ended
                        : new ForkedTest.Batch(batch.soFar(), null, Optional.empty(), "is running"))
                .classFailure(classId, false);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * After a class: a failure of the class in its fork after its tests started (its @AfterAll) is the
     * class's failure here. A class's own JVM (or the run's, after its last class) is waited for, so
     * that what it leaves (coverage, say) is in place when the class ends, and its usage (memory, CPU,
     * tasks of the whole JVM) is reported with the class.
     */
    static void afterAll(ExtensionContext testClass) throws Throwable {
        if (granularity(testClass) == Granularity.METHOD
                || BarcoExtension.settings(testClass).isEmpty()) {
            return;
        }
        // a class that also has command-mode tests runs its JVM-mode tests in a batch all the same, if it had any
        boolean jvmMode = jvmModeClass(testClass);
        ExtensionContext owner =
                granularity(testClass) == Granularity.RUN ? testClass.getRoot() : owningClass(testClass);
        if (!jvmMode && owner.getStore(NAMESPACE).get(BatchRun.class, BatchRun.class) == null) {
            return;
        }
        String classId = testClass.getUniqueId();
        BatchRun batch = batch(testClass);
        // the JVM of this class, or of the run when this is its last class
        List<String> classes = TestPlanClasses.classIds();
        boolean lastOfJvm = granularity(testClass) == Granularity.CLASS
                ? owningClass(testClass) == testClass
                : !classes.isEmpty() && classes.get(classes.size() - 1).equals(classId);
        ForkedTest.Batch ended =
                batch.await(soFar -> !lastOfJvm && (soFar.outcomeOf(classId) != null || soFar.stopped() != null));
        if (ended != null && lastOfJvm) {
            ended.usage().ifPresent(usage -> BarcoExtension.publish(testClass, usage));
        }
        Throwable failure = (ended != null
                        ? ended
                        : new ForkedTest.Batch(batch.soFar(), null, Optional.empty(), "is running"))
                .classFailure(classId, true);
        if (failure != null && jvmMode) {
            throw failure; // else the class's lifecycle ran on the host too, and its own failure is the host's
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
                : BarcoExtension.settings(owner)
                        .orElse(InBarcoSettings.defaults().configuredBy(context::getConfigurationParameter));
        // the next class's JVM boots while this one runs, when the plan's next class will want one like it
        boolean moreToCome = granularity == Granularity.CLASS
                && context.getConfigurationParameter(BarcoExtension.START_AHEAD_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(true)
                && TestPlanClasses.classAfter(topClass(owner).getUniqueId())
                        .flatMap(next -> batchSettings(next, context))
                        .filter(settings::equals)
                        .isPresent();
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        BatchRun.class, k -> new BatchRun(settings, batchName, ids, moreToCome), BatchRun.class);
    }

    /** The settings a class's batch would run with: its own, or under the whole-suite switch the defaults; empty when it runs on the host. */
    private static Optional<InBarcoSettings> batchSettings(String className, ExtensionContext context) {
        Class<?> type;
        try {
            type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        Optional<InBarcoSettings> own = InBarcoSettings.of(type, Optional.empty());
        if (own.isEmpty()
                && context.getConfigurationParameter(BarcoExtension.ALL_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(false)) {
            own = Optional.of(InBarcoSettings.defaults());
        }
        return own.map(s -> s.configuredBy(context::getConfigurationParameter));
    }

    /** The outermost class context whose settings are this context's class's: a nested class without its own @InBarco runs with its outer class. */
    private static ExtensionContext owningClass(ExtensionContext context) {
        ExtensionContext owner = context;
        while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
            owner = owner.getParent().get();
        }
        Optional<InBarcoSettings> own = InBarcoSettings.of(owner.getRequiredTestClass(), Optional.empty());
        while (owner.getParent().isPresent()
                && owner.getParent().get().getTestClass().isPresent()
                && InBarcoSettings.of(owner.getParent().get().getRequiredTestClass(), Optional.empty())
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

    /**
     * One forked JVM for many tests, started by the first of them (or their class) to need it. It runs
     * on a thread of its own; the host's tests and classes wait for what they need of its outcomes.
     */
    private static final class BatchRun implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final InBarcoSettings settings;
        private final String name;
        private final List<String> ids;
        private final boolean moreToCome;
        private Thread runner;
        private Outcomes soFar = Outcomes.NONE;
        private ForkedTest.Batch result;

        BatchRun(InBarcoSettings settings, String name, List<String> ids, boolean moreToCome) {
            this.settings = settings;
            this.name = name;
            this.ids = ids;
            this.moreToCome = moreToCome;
        }

        /** Waits until the outcomes so far satisfy {@code ready}, or the JVM ended; the whole result then, else null. */
        synchronized ForkedTest.Batch await(Predicate<Outcomes> ready) throws InterruptedException {
            if (runner == null) {
                runner = new Thread(this::runJvm, "barco-batch-" + name);
                runner.setDaemon(true); // the forks' shutdown hook closes the JVM itself
                runner.start();
            }
            while (result == null && !ready.test(soFar)) {
                wait();
            }
            return result;
        }

        /**
         * When its class (or the run) ends: its JVM has ended too, and everything it made is gone, even
         * where nothing waited for its last outcome (a class that also has command-mode tests, say).
         */
        @Override
        public synchronized void close() throws InterruptedException {
            while (runner != null && result == null) {
                wait();
            }
        }

        synchronized Outcomes soFar() {
            return soFar;
        }

        private synchronized void progress(Outcomes outcomes) {
            soFar = outcomes;
            notifyAll();
        }

        private void runJvm() {
            ForkedTest.Batch ended;
            try {
                ended = ForkedTest.runBatch(settings, name, ids, moreToCome, this::progress);
            } catch (IOException | RuntimeException | Error e) {
                ended = ForkedTest.Batch.failed(e, Optional.empty());
            } catch (InterruptedException e) {
                ended = ForkedTest.Batch.failed(e, Optional.empty());
            }
            synchronized (this) {
                result = ended;
                soFar = ended.outcomes();
                notifyAll();
            }
        }
    }
}
