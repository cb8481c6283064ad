package io.barco.junit;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.cgroup.ResourceUsage;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.fork.ForkedTest;
import io.barco.junit.fork.Forks;
import io.barco.junit.fork.StandbyForks;
import io.barco.junit.fork.WarmJvms;
import io.barco.junit.jvm.ClassEnd;
import io.barco.junit.jvm.ClassPlan;
import io.barco.junit.jvm.Granularity;
import io.barco.junit.report.OutputDirectory;
import io.barco.junit.report.UsageReport;
import io.barco.junit.run.BarcoRun;
import io.barco.junit.settings.InBarcoAttributes;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.spec.Size;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The extension behind {@link InBarco}: skips (or, when required, fails) where containers cannot
 * run, hands out {@link BarcoContainer}s in command mode, and forks the test into a container in
 * JVM mode. Inside the forked JVM it lets the test run as usual.
 *
 * <p>An entry point: JUnit makes it, by name, as often as it likes. What a run shares (the runtime,
 * forks, shared JVMs, the usage report) is one {@link BarcoRun} in the root context's store; a class's
 * JVM-mode plan is resolved once ({@link ClassPlans}) and kept in the class's store. The statics
 * below are what an entry point must hold: the test running on each thread, and whether the skip was
 * said once on the console.
 */
public final class BarcoExtension
        implements ExecutionCondition,
                ParameterResolver,
                InvocationInterceptor,
                BeforeTestExecutionCallback,
                AfterTestExecutionCallback,
                BeforeAllCallback,
                AfterAllCallback {
    /** The test running on this thread: a class's container reports what a test ran in it as that test's. */
    private static final ThreadLocal<ExtensionContext> RUNNING_TEST = new ThreadLocal<>();

    /**
     * true: every test of the run goes into a container, annotated or not (with the extension
     * registered by {@code junit.jupiter.extensions.autodetection.enabled=true}).
     */
    public static final String ALL_PARAMETER = BarcoKeys.ALL;
    /**
     * How JVM-mode tests share forked JVMs: {@code class} (the default) one JVM per top-level test
     * class, {@code method} one per test method, {@code run} one for the whole run (with {@link
     * #ALL_PARAMETER}: the unannotated classes').
     */
    public static final String GRANULARITY_PARAMETER = BarcoKeys.GRANULARITY;
    /**
     * true (the default): while a JVM-mode test runs, the JVM for the next test of its class starts
     * in its own container; false: each test's JVM starts when the test does (less memory, slower).
     */
    public static final String START_AHEAD_PARAMETER = BarcoKeys.START_AHEAD;
    /** true: a test that cannot run in a container fails instead of being skipped. */
    public static final String REQUIRE_PARAMETER = BarcoKeys.REQUIRE;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BarcoExtension.class);
    private static final String CONTAINERS = "containers";
    /** A skip for want of containers is said once on the console, not only in each test's report. */
    private static final AtomicBoolean SKIP_ANNOUNCED = new AtomicBoolean();

    static boolean inForkedJvm() {
        return TestModes.inForkedJvm();
    }

    /**
     * The run's shared state, made by the first test that needs it and closed by JUnit when the run
     * ends. Its runtime is the machine's: the one place barco-junit picks it.
     */
    static BarcoRun run(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(BarcoRun.class, key -> newRun(), BarcoRun.class);
    }

    private static BarcoRun newRun() {
        Optional<TestPlanClasses.StartedAhead> ahead = TestPlanClasses.adoptStartedAhead();
        Forks forks =
                ahead.map(TestPlanClasses.StartedAhead::forks).orElseGet(() -> new Forks(BarcoRuntime.defaults()));
        return new BarcoRun(
                BarcoRuntime.defaults(),
                forks,
                ahead.map(TestPlanClasses.StartedAhead::warmJvms).orElseGet(() -> new WarmJvms(forks)),
                System.out::println);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (inForkedJvm()) {
            return ConditionEvaluationResult.enabled("already inside a barco container");
        }
        if (settings(context).isEmpty()) {
            return ConditionEvaluationResult.enabled("not an @InBarco test");
        }
        JUnitVersion.check(); // an older JUnit, which the project chose, fails here in one line
        String problem = run(context).runtime().hostProblem();
        if (problem == null) {
            return ConditionEvaluationResult.enabled("this host can run barco containers");
        }
        if (required(context)) {
            throw new IllegalStateException("barco containers are required (" + REQUIRE_PARAMETER + "=true or "
                    + BarcoKeys.REQUIRE_PRIVILEGED_ENV + "=1) but this host cannot run them: " + problem);
        }
        if (SKIP_ANNOUNCED.compareAndSet(false, true)) {
            System.err.println(
                    "[barco] tests in containers are skipped: this host cannot run barco containers: " + problem);
        }
        return ConditionEvaluationResult.disabled("this host cannot run barco containers: " + problem);
    }

    private static boolean required(ExtensionContext context) {
        return "1".equals(System.getenv(BarcoKeys.REQUIRE_PRIVILEGED_ENV))
                || context.getConfigurationParameter(REQUIRE_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(false);
    }

    static Optional<InBarcoSettings> settings(ExtensionContext context) {
        return TestModes.settings(context);
    }

    // ---- command mode ----------------------------------------------------------------------------

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == BarcoContainer.class
                || (type == ResourceUsage.class
                        && parameter.getDeclaringExecutable().isAnnotationPresent(OnHost.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == ResourceUsage.class) {
            if (inForkedJvm()) {
                return null; // an @OnHost method: resolved here too, but it runs on the host only
            }
            return lastUsage(context)
                    .orElseThrow(() -> new IllegalStateException(
                            "no barco container has ended in this test yet, so there is no ResourceUsage to give"));
        }
        InBarcoSettings settings = settings(context)
                .orElseThrow(() -> new IllegalStateException(
                        "a BarcoContainer parameter needs @InBarco on the test method or its class"));
        // a test's parameter in a class that shares a container is that container, unless the method
        // asks for settings of its own with an @InBarco
        if (context.getTestMethod()
                .filter(m -> !m.isAnnotationPresent(InBarco.class))
                .isPresent()) {
            Optional<BarcoContainer> shared = classContainer(context);
            if (shared.isPresent()) {
                return shared.get();
            }
        }
        BarcoContainer container = new BarcoContainer(settings, OutputDirectory.limits(context), result -> {
            // a class's container: what runs in it during a test is that test's
            ExtensionContext test = RUNNING_TEST.get();
            publish(test != null && context.getTestMethod().isEmpty() ? test : context, result.usage());
        });
        if (context.getTestMethod().isPresent()) {
            // stopped when the test method returns; closed when the test ends, whatever happens
            containers(context).add(container);
        } else {
            // a @BeforeAll's: the class's; afterAll closes it and reports its total
            classContainers(context).add(container);
        }
        // closed when its test or class is done, whatever happens (after @AfterAll for a class's)
        context.getStore(NAMESPACE).put(new Object(), container);
        return container;
    }

    @SuppressWarnings("unchecked")
    private static List<BarcoContainer> classContainers(ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        List.of(CONTAINERS, "class", context.getUniqueId()),
                        k -> new CopyOnWriteArrayList<BarcoContainer>(),
                        List.class);
    }

    /**
     * After @AfterAll: a class's containers end, and what each used in all (its tests' commands, and
     * those of @BeforeAll and @AfterAll) is the class's usage.
     */
    private static void closeClassContainers(ExtensionContext context) {
        for (BarcoContainer container : classContainers(context)) {
            container.close();
            container.usage().ifPresent(usage -> publish(context, usage, UsageReport.Measure.CONTAINER_TOTAL));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<BarcoContainer> containers(ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(testKey(context), k -> new CopyOnWriteArrayList<BarcoContainer>(), List.class);
    }

    /** A test's own key: a store lookup also finds what an enclosing (class) context put there. */
    private static Object testKey(ExtensionContext context) {
        return java.util.List.of(CONTAINERS, context.getUniqueId());
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        RUNNING_TEST.set(context);
    }

    /** Commands still running when the test method returns stop then, so that their usage is the test's. */
    @Override
    public void afterTestExecution(ExtensionContext context) throws InterruptedException {
        RUNNING_TEST.remove();
        if (context.getStore(NAMESPACE).get(testKey(context)) != null) {
            for (BarcoContainer container : containers(context)) {
                container.stopAll();
            }
        }
    }

    static boolean commandMode(Method method) {
        return TestModes.commandMode(method);
    }

    /** The container a {@code @BeforeAll} of this test's class (or an enclosing one) started, if any. */
    private static Optional<BarcoContainer> classContainer(ExtensionContext test) {
        for (Optional<ExtensionContext> c = test.getParent();
                c.isPresent();
                c = c.get().getParent()) {
            ExtensionContext context = c.get();
            if (context.getTestClass().isPresent() && context.getTestMethod().isEmpty()) {
                Object found = context.getStore(NAMESPACE).get(List.of(CONTAINERS, "class", context.getUniqueId()));
                if (found instanceof List<?> list
                        && !list.isEmpty()
                        && list.get(0) instanceof BarcoContainer container) {
                    return Optional.of(container);
                }
            }
        }
        return Optional.empty();
    }

    // ---- JVM mode --------------------------------------------------------------------------------

    @Override
    public void interceptTestMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        intercept(invocation, call, context);
    }

    @Override
    public void interceptTestTemplateMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        intercept(invocation, call, context);
    }

    private void intercept(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        Optional<InBarcoSettings> settings = settings(context);
        if (inForkedJvm() || settings.isEmpty()) {
            invocation.proceed();
            return;
        }
        if (commandMode(call.getExecutable())) {
            try {
                invocation.proceed();
            } catch (BarcoException e) {
                throw InBarcoAttributes.explained(e); // a container the test's BarcoContainer could not start
            }
            return;
        }
        invocation.skip();
        ClassPlan plan = ClassPlans.of(context);
        Granularity granularity = plan.granularityOf(TestModes.hasOwnSettings(call.getExecutable()));
        Optional<ForkedTest.Outcome> shared =
                granularity == Granularity.METHOD || plan.batch().isEmpty()
                        ? Optional.empty()
                        : run(context)
                                .classForks()
                                .outcome(context.getUniqueId(), plan.batch().get());
        if (shared.isPresent()) {
            // the test's share of its batch JVM, as that JVM measured it
            shared.get().usage().ifPresent(usage -> publish(context, usage, UsageReport.Measure.BATCH_JVM));
            shared.get().rethrow();
            return;
        }
        ForkedTest.Outcome outcome;
        try {
            outcome = ForkedTest.run(settings.get(), context, standbyForks(context));
        } catch (BarcoException e) {
            throw InBarcoAttributes.explained(e);
        }
        outcome.usage().ifPresent(usage -> publish(context, usage));
        outcome.rethrow();
    }

    /** The test JVMs started ahead for the tests of this test's class, closed when the class is done. */
    private static StandbyForks standbyForks(ExtensionContext context) {
        ExtensionContext testClass = TestModes.classContext(context);
        WarmJvms pool = run(context).warmJvms();
        Class<?> type = testClass.getRequiredTestClass();
        boolean startAhead = context.getConfigurationParameter(BarcoKeys.START_AHEAD)
                .map(Boolean::parseBoolean)
                .orElse(true);
        return testClass
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        StandbyForks.class,
                        k -> new StandbyForks(pool, startAhead ? jvmModeTests(type) : 0),
                        StandbyForks.class);
    }

    /** How many JVM-mode tests a class may run: its test methods; many when a template makes more. */
    private static int jvmModeTests(Class<?> testClass) {
        int count = 0;
        for (Method method :
                AnnotationSupport.findAnnotatedMethods(testClass, Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
            if (TestModes.commandMode(method)) {
                continue;
            }
            if (!AnnotationSupport.isAnnotated(method, Test.class)) {
                return Integer.MAX_VALUE; // parameterized, repeated, a factory: a test per invocation
            }
            count++;
        }
        return count;
    }

    // ---- class lifecycle -------------------------------------------------------------------------

    /** A class whose tests share a forked JVM: the JVM runs now, and a failure of the class there is the class's failure here. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!inForkedJvm()) {
            rethrowing(() -> {
                try {
                    run(context).classForks().beforeAll(ClassPlans.of(context));
                } catch (BarcoException e) {
                    throw InBarcoAttributes.explained(e);
                }
            });
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!inForkedJvm()) {
            rethrowing(() -> {
                try {
                    ClassEnd end = run(context).classForks().afterAll(ClassPlans.of(context));
                    // the class's JVM, when it ended with the class: its usage is the class's
                    end.jvmUsage().ifPresent(usage -> publish(context, usage));
                    if (end.failure() != null) {
                        throw end.failure();
                    }
                } finally {
                    closeClassContainers(context);
                }
            });
        }
    }

    private interface Step {
        void run() throws Throwable;
    }

    /** Callbacks may throw only Exception; a test's AssertionError must come through as itself. */
    private static void rethrowing(Step step) throws Exception {
        try {
            step.run();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @BeforeAll and @AfterAll of a class whose tests all run in forked JVMs run there, not here, unless @OnHost. */
    @Override
    public void interceptBeforeAllMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        proceedWhereTheClassRuns(invocation, call, context);
    }

    @Override
    public void interceptAfterAllMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        proceedWhereTheClassRuns(invocation, call, context);
    }

    private void proceedWhereTheClassRuns(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        boolean onHost = TestModes.hostOnly(call.getExecutable());
        boolean runHere = inForkedJvm() ? !onHost : onHost || !jvmModeClass(context);
        if (runHere) {
            invocation.proceed();
        } else {
            invocation.skip();
        }
    }

    /**
     * A class whose tests all run in forked JVMs is not constructed here: its constructor and field
     * initializers run where its tests do. The host gets an instance made without them, which it
     * only passes to callbacks (its test methods are not invoked here). Its static initializer does
     * run here, as for any class JUnit invokes.
     */
    @Override
    public <T> T interceptTestClassConstructor(
            Invocation<T> invocation,
            ReflectiveInvocationContext<java.lang.reflect.Constructor<T>> call,
            ExtensionContext context)
            throws Throwable {
        if (inForkedJvm() || !jvmModeClass(context)) {
            return invocation.proceed();
        }
        invocation.skip();
        return call.getExecutable()
                .getDeclaringClass()
                .cast(allocateWithoutConstructor(call.getExecutable().getDeclaringClass()));
    }

    /** Whether all tests of this (test's) class run in forked JVMs: then nothing of the class runs on the host. */
    private static boolean jvmModeClass(ExtensionContext context) {
        return context.getTestClass().isPresent() && ClassPlans.of(context).jvmModeClass();
    }

    private static Object allocateWithoutConstructor(Class<?> type) throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        java.lang.reflect.Field field = unsafeClass.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        return unsafeClass.getMethod("allocateInstance", Class.class).invoke(unsafe, type);
    }

    /** @BeforeEach and @AfterEach of a JVM-mode test run in the forked JVM, not here, unless @OnHost. */
    @Override
    public void interceptBeforeEachMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        proceedUnlessForked(invocation, call, context);
    }

    @Override
    public void interceptAfterEachMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        proceedUnlessForked(invocation, call, context);
    }

    private void proceedUnlessForked(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        boolean onHost = TestModes.hostOnly(call.getExecutable());
        boolean jvmMode = settings(context).isPresent()
                && context.getTestMethod().map(m -> !TestModes.commandMode(m)).orElse(false);
        boolean runHere = !jvmMode || (inForkedJvm() ? !onHost : onHost);
        if (runHere) {
            invocation.proceed();
        } else {
            invocation.skip();
        }
    }

    // ---- usage -----------------------------------------------------------------------------------

    /**
     * Usage as report entries, for IDEs and listeners, and as a line on stdout, which Surefire and
     * Failsafe keep in the test's {@code <system-out>} of TEST-*.xml: they drop report entries.
     */
    static void publish(ExtensionContext context, ResourceUsage usage) {
        publish(context, usage, UsageReport.Measure.CGROUP);
    }

    static void publish(ExtensionContext context, ResourceUsage usage, UsageReport.Measure measure) {
        Map<String, String> entries = new LinkedHashMap<>();
        usage.peakMemoryBytes().ifPresent(b -> entries.put(BarcoKeys.ENTRY_PEAK_MEMORY, Size.human(b)));
        usage.cpuTotal().ifPresent(d -> entries.put(BarcoKeys.ENTRY_CPU_TIME, d.toMillis() + " ms"));
        usage.peakTasks()
                .ifPresent(n ->
                        entries.put(BarcoKeys.ENTRY_PEAK_TASKS, n + (usage.peakTasksSampled() ? " (sampled)" : "")));
        entries.put(BarcoKeys.ENTRY_OOM_KILLS, Long.toString(usage.oomKills()));
        entries.put(BarcoKeys.ENTRY_WALL_TIME, usage.wallTime().toMillis() + " ms");
        if (measure == UsageReport.Measure.CONTAINER_TOTAL) {
            entries.put(BarcoKeys.ENTRY_SCOPE, "container total"); // beside the figures of each command run in it
        }
        context.publishReportEntry(entries);
        Optional<InBarcoSettings> annotated = TestModes.annotated(context);
        run(context).usage().record(context, usage, measure, annotated);
        if (UsageReport.perTestLine(context, annotated)) {
            // a display name is the test's to choose (a parameterized test's includes its arguments): cap it
            String name = context.getDisplayName();
            if (name.length() > 200) {
                int cut = Character.isHighSurrogate(name.charAt(199)) ? 199 : 200; // not half a character
                name = name.substring(0, cut) + "…(" + (name.length() - cut) + " more characters)";
            }
            StringBuilder line = new StringBuilder("[barco] usage of " + name.replaceAll("\\R", " ") + ":");
            entries.forEach((key, value) -> line.append(' ')
                    .append(key.substring(BarcoKeys.ATTRIBUTE_PREFIX.length()))
                    .append('=')
                    .append(value.replace(' ', '_')));
            System.out.println(line);
        }
        context.getStore(NAMESPACE).put(ResourceUsage.class, usage);
    }

    /** The usage of the last container of the current test, for host-side code such as an @AfterEach. */
    static Optional<ResourceUsage> lastUsage(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(ResourceUsage.class, ResourceUsage.class));
    }
}
