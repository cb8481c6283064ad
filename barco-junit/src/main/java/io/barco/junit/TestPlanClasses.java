package io.barco.junit;

import io.barco.junit.fork.BatchForks;
import io.barco.junit.report.UsageReport;
import io.barco.junit.settings.InBarcoSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Remembers the top-level test classes and test methods of the running test plan, so that a forked
 * JVM runs the same tests as the host: one class's ({@code class} granularity), or all of them
 * ({@code barco.granularity=run}). Registered through
 * META-INF/services; the Launcher loads it by itself.
 */
public final class TestPlanClasses implements TestExecutionListener {
    private static volatile List<String> classIds = List.of();
    private static volatile List<String> methodIds = List.of();
    /** The binary names of the top-level classes, in the order of {@link #classIds}. */
    private static volatile List<String> classNames = List.of();
    /** The plans started and not finished, innermost last: a test may run a plan of its own (the IDE's, a test kit's). */
    private static final java.util.Deque<List<List<String>>> OUTER = new java.util.ArrayDeque<>();

    /** The run's usage summary, once, at its end. */
    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (!BarcoExtension.inForkedJvm()) {
            UsageReport.summary().ifPresent(System.out::println);
            UsageReport.writeHtml().ifPresent(page -> System.out.println("[barco] usage page: " + page));
        }
        UsageReport.reset();
        BatchForks.closeUnused();
        synchronized (OUTER) {
            // the plan around this one, if any, is the last plan again
            List<List<String>> outer = OUTER.isEmpty() ? List.of(List.of(), List.of(), List.of()) : OUTER.pop();
            classIds = outer.get(0);
            methodIds = outer.get(1);
            classNames = outer.get(2);
        }
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        synchronized (OUTER) {
            OUTER.push(List.of(classIds, methodIds, classNames));
        }
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier child : plan.getChildren(root)) {
                if (child.getSource().filter(ClassSource.class::isInstance).isPresent()) {
                    ids.add(child.getUniqueId());
                    names.add(((ClassSource) child.getSource().get()).getClassName());
                }
            }
        }
        classIds = List.copyOf(ids);
        classNames = List.copyOf(names);
        List<String> methods = new ArrayList<>();
        collectMethods(plan, plan.getRoots(), methods);
        methodIds = List.copyOf(methods);
        startFirstBatchAhead(plan);
    }

    /**
     * Under the whole-suite switch, with a JVM per class or per run, the first batch's JVM starts now,
     * while the host still sets up its first class: its tests are not known yet, and it needs not know
     * them to boot ({@link BatchForks}).
     */
    private static void startFirstBatchAhead(TestPlan plan) {
        java.util.function.Function<String, java.util.Optional<String>> parameters =
                plan.getConfigurationParameters()::get;
        if (BarcoExtension.inForkedJvm()
                || classIds.isEmpty()
                || !parameters
                        .apply(BarcoExtension.ALL_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(false)
                || !parameters
                        .apply(BarcoExtension.START_AHEAD_PARAMETER)
                        .map(Boolean::parseBoolean)
                        .orElse(true)
                || parameters
                        .apply(BarcoExtension.GRANULARITY_PARAMETER)
                        .orElse("class")
                        .equals("method")) {
            return;
        }
        BatchForks.startAhead(InBarcoSettings.defaults().configuredBy(parameters));
    }

    private static void collectMethods(TestPlan plan, Iterable<TestIdentifier> identifiers, List<String> into) {
        for (TestIdentifier identifier : identifiers) {
            if (identifier.getSource().filter(MethodSource.class::isInstance).isPresent()) {
                into.add(identifier.getUniqueId()); // a test, or a template whose invocations come at run time
            } else {
                collectMethods(plan, plan.getChildren(identifier), into);
            }
        }
    }

    /**
     * The test methods (and templates) of the running plan below a class: what a batch for the class
     * runs, so that it runs no test the plan filtered out. Empty when the last plan has none there
     * (a class run by an engine without a launcher plan, such as the JUnit test kit's).
     */
    static List<String> methodsUnder(String classId) {
        return methodIds.stream().filter(id -> id.startsWith(classId + "/")).toList();
    }

    /** The binary name of the plan's top-level class after this one, if there is one. */
    static java.util.Optional<String> classAfter(String classId) {
        List<String> ids = classIds;
        List<String> names = classNames;
        int position = ids.indexOf(classId);
        return position >= 0 && position + 1 < names.size()
                ? java.util.Optional.of(names.get(position + 1))
                : java.util.Optional.empty();
    }

    /** Unique ids of the plan's top-level classes, as the last plan to start lists them. */
    static List<String> classIds() {
        return classIds;
    }
}
