package io.barco.junit;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Remembers the top-level test classes of the running test plan, so that the whole-suite switch can
 * run all of them in one forked JVM ({@code barco.granularity=run}). Registered through
 * META-INF/services; the Launcher loads it by itself.
 */
public final class TestPlanClasses implements TestExecutionListener {
    private static volatile List<String> classIds = List.of();

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
    }

    /** Unique ids of the plan's top-level classes, as the last plan to start lists them. */
    static List<String> classIds() {
        return classIds;
    }
}
