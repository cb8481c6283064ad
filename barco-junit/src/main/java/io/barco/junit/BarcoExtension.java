package io.barco.junit;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.cgroup.ResourceUsage;
import io.barco.junit.buildjvm.BuildJvm;
import io.barco.junit.fork.ForkedTest;
import io.barco.junit.fork.StandbyForks;
import io.barco.junit.report.OutputDirectory;
import io.barco.junit.report.UsageReport;
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
    public static final String ALL_PARAMETER = "barco.all";
    /**
     * With {@link #ALL_PARAMETER}: {@code method} (the default) forks a JVM per test method,
     * {@code class} one per top-level test class, {@code run} one for the whole run.
     */
    public static final String GRANULARITY_PARAMETER = "barco.granularity";
    /**
     * true (the default): while a JVM-mode test runs, the JVM for the next test of its class starts
     * in its own container; false: each test's JVM starts when the test does (less memory, slower).
     */
    public static final String START_AHEAD_PARAMETER = "barco.startAhead";
    /** true: a test that cannot run in a container fails instead of being skipped. */
    public static final String REQUIRE_PARAMETER = "barco.require";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BarcoExtension.class);
    private static final String CONTAINERS = "containers";
    /** A skip for want of containers is said once on the console, not only in each test's report. */
    private static final AtomicBoolean SKIP_ANNOUNCED = new AtomicBoolean();

    static boolean inForkedJvm() {
        return Boolean.getBoolean(BuildJvm.FORKED_PROPERTY);
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
        String problem = BarcoRuntime.defaults().hostProblem();
        if (problem == null) {
            return ConditionEvaluationResult.enabled("this host can run barco containers");
        }
        if (required(context)) {
            throw new IllegalStateException("barco containers are required (" + REQUIRE_PARAMETER
                    + "=true or BARCO_REQUIRE_PRIVILEGED=1) but this host cannot run them: " + problem);
        }
        if (SKIP_ANNOUNCED.compareAndSet(false, true)) {
            System.err.println(
                    "[barco] tests in containers are skipped: this host cannot run barco containers: " + problem);
        }
        return ConditionEvaluationResult.disabled("this host cannot run barco containers: " + problem);
    }

    private static boolean required(ExtensionContext context) {
        return "1".equals(System.getenv("BARCO_REQUIRE_PRIVILEGED"))
                || context.getConfigurationParameter(REQUIRE_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(false);
    }

    static Optional<InBarcoSettings> settings(ExtensionContext context) {
        Optional<InBarcoSettings> annotated =
                context.getTestClass().flatMap(c -> InBarcoSettings.of(c, context.getTestMethod()));
        if (annotated.isEmpty()
                && context.getTestClass().isPresent()
                && context.getConfigurationParameter(ALL_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(false)) {
            annotated = Optional.of(InBarcoSettings.defaults());
        }
        return annotated.map(s -> s.configuredBy(context::getConfigurationParameter));
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

    /**
     * Whether a test runs on the host, driving commands: it takes a {@code BarcoContainer}, or its
     * class shares one from a {@code @BeforeAll} (a Testcontainers user's class: its tests talk to the
     * class's container, kept in a static field, and must run where that field is).
     */
    static boolean commandMode(Method method) {
        if (takesAContainer(method)) {
            return true;
        }
        // a test with an @InBarco of its own gets a JVM of its own, in such a class too (docs/junit.md)
        return !method.isAnnotationPresent(InBarco.class) && SHARES_A_CONTAINER.get(method.getDeclaringClass());
    }

    private static boolean takesAContainer(Method method) {
        return java.util.Arrays.asList(method.getParameterTypes()).contains(BarcoContainer.class);
    }

    /**
     * Whether a lifecycle method runs on the host only: {@code @OnHost}; one that takes a {@code
     * BarcoContainer}, which starts containers; and any of a class that shares a container from its
     * {@code @BeforeAll}, whose state (the container, in a static field) is the host's. A forked JVM
     * runs the lifecycle methods of the classes enclosing a {@code @Nested} class too: these stay out.
     */
    private static boolean hostOnly(Method method) {
        return method.isAnnotationPresent(OnHost.class)
                || takesAContainer(method)
                || SHARES_A_CONTAINER.get(method.getDeclaringClass());
    }

    /** Whether the class, or one it extends, has a {@code @BeforeAll} that takes a {@code BarcoContainer}. */
    private static final ClassValue<Boolean> SHARES_A_CONTAINER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return AnnotationSupport.findAnnotatedMethods(
                            type, org.junit.jupiter.api.BeforeAll.class, HierarchyTraversalMode.TOP_DOWN)
                    .stream()
                    .anyMatch(
                            m -> java.util.Arrays.asList(m.getParameterTypes()).contains(BarcoContainer.class));
        }
    };

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
        ForkedTest.Outcome outcome =
                ClassForks.granularity(context) == ClassForks.Granularity.METHOD ? null : ClassForks.outcome(context);
        if (outcome == null) {
            try {
                outcome = ForkedTest.run(settings.get(), context, standbyForks(context));
            } catch (BarcoException e) {
                throw InBarcoAttributes.explained(e);
            }
            outcome.usage().ifPresent(usage -> publish(context, usage));
        }
        outcome.rethrow();
    }

    /** The test JVMs started ahead for the tests of this test's class, closed when the class is done. */
    private static StandbyForks standbyForks(ExtensionContext context) {
        ExtensionContext testClass = context;
        while (testClass.getTestMethod().isPresent() && testClass.getParent().isPresent()) {
            testClass = testClass.getParent().get();
        }
        Class<?> type = testClass.getRequiredTestClass();
        boolean startAhead = context.getConfigurationParameter(START_AHEAD_PARAMETER)
                .map(Boolean::parseBoolean)
                .orElse(true);
        return testClass
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        StandbyForks.class,
                        k -> new StandbyForks(startAhead ? jvmModeTests(type) : 0),
                        StandbyForks.class);
    }

    /** How many JVM-mode tests a class may run: its test methods; many when a template makes more. */
    private static int jvmModeTests(Class<?> testClass) {
        int count = 0;
        for (Method method :
                AnnotationSupport.findAnnotatedMethods(testClass, Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
            if (commandMode(method)) {
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
                    ClassForks.beforeAll(context);
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
                    ClassForks.afterAll(context);
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
        boolean onHost = hostOnly(call.getExecutable());
        boolean runHere = inForkedJvm() ? !onHost : onHost || !ClassForks.jvmModeClass(classContext(context));
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
        if (inForkedJvm() || !ClassForks.jvmModeClass(classContext(context))) {
            return invocation.proceed();
        }
        invocation.skip();
        return call.getExecutable()
                .getDeclaringClass()
                .cast(allocateWithoutConstructor(call.getExecutable().getDeclaringClass()));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
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
        boolean onHost = hostOnly(call.getExecutable());
        boolean jvmMode = settings(context).isPresent()
                && context.getTestMethod().map(m -> !commandMode(m)).orElse(false);
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
        usage.peakMemoryBytes().ifPresent(b -> entries.put("barco.peakMemory", Size.human(b)));
        usage.cpuTotal().ifPresent(d -> entries.put("barco.cpuTime", d.toMillis() + " ms"));
        usage.peakTasks()
                .ifPresent(n -> entries.put("barco.peakTasks", n + (usage.peakTasksSampled() ? " (sampled)" : "")));
        entries.put("barco.oomKills", Long.toString(usage.oomKills()));
        entries.put("barco.wallTime", usage.wallTime().toMillis() + " ms");
        if (measure == UsageReport.Measure.CONTAINER_TOTAL) {
            entries.put("barco.scope", "container total"); // beside the figures of each command run in it
        }
        context.publishReportEntry(entries);
        UsageReport.record(context, usage, measure);
        if (UsageReport.perTestLine(context)) {
            // a display name is the test's to choose (a parameterized test's includes its arguments): cap it
            String name = context.getDisplayName();
            if (name.length() > 200) {
                int cut = Character.isHighSurrogate(name.charAt(199)) ? 199 : 200; // not half a character
                name = name.substring(0, cut) + "…(" + (name.length() - cut) + " more characters)";
            }
            StringBuilder line = new StringBuilder("[barco] usage of " + name.replaceAll("\\R", " ") + ":");
            entries.forEach((key, value) -> line.append(' ')
                    .append(key.substring("barco.".length()))
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
