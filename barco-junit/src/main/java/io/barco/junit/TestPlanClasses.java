package io.barco.junit;

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

    /** The run's usage summary, once, at its end. */
    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (!BarcoExtension.inForkedJvm()) {
            UsageReport.summary().ifPresent(System.out::println);
        }
        UsageReport.reset();
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        List<String> ids = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier child : plan.getChildren(root)) {
                if (child.getSource().filter(ClassSource.class::isInstance).isPresent()) {
                    ids.add(child.getUniqueId());
                }
            }
        }
        classIds = List.copyOf(ids);
        List<String> methods = new ArrayList<>();
        collectMethods(plan, plan.getRoots(), methods);
        methodIds = List.copyOf(methods);
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

    /** Unique ids of the plan's top-level classes, as the last plan to start lists them. */
    static List<String> classIds() {
        return classIds;
    }
}
