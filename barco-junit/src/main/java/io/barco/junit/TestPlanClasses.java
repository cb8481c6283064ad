package io.barco.junit;

import io.barco.BarcoRuntime;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.fork.Forks;
import io.barco.junit.fork.WarmJvms;
import io.barco.junit.settings.InBarcoSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Remembers the top-level test classes and test methods of the running test plan, so that a forked
 * JVM runs the same tests as the host: one class's ({@code class} granularity), or all of them
 * ({@code barco.granularity=run}). Registered through META-INF/services; the Launcher loads it by
 * itself.
 *
 * <p>An entry point, and the one place barco-junit keeps a run's state in static fields: the
 * Launcher makes this listener and Jupiter makes the extension, each on its own, and the plan reaches
 * only the listener, before any extension context exists. So the listener keeps the plan where the
 * extension can read it, and hands over the batch JVM it started ahead to the run's {@code BarcoRun}
 * ({@link #adoptStartedAhead}). Everything else of a run lives in that {@code BarcoRun}.
 */
public final class TestPlanClasses implements TestExecutionListener {
    /**
     * What a plan started: its classes and methods, and the batch JVMs it started ahead until the run
     * adopts them (null: none, or adopted).
     */
    private record Plan(List<String> classIds, List<String> methodIds, List<String> classNames, StartedAhead ahead) {
        static final Plan NONE = new Plan(List.of(), List.of(), List.of(), null);
    }

    /** Batch JVMs started as the plan started, before the run's {@code BarcoRun} exists. */
    record StartedAhead(Forks forks, WarmJvms warmJvms) {
        void close() {
            warmJvms.close();
            forks.close();
        }
    }

    /** The last plan to start and not finish: see the class comment for why this is static. */
    private static volatile Plan current = Plan.NONE;
    /** The plans started and not finished around it, innermost last: a test may run a plan of its own (the IDE's, a test kit's). */
    private static final Deque<Plan> OUTER = new ArrayDeque<>();

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
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
        List<String> methods = new ArrayList<>();
        collectMethods(plan, plan.getRoots(), methods);
        synchronized (OUTER) {
            OUTER.push(current);
            current = new Plan(
                    List.copyOf(ids), List.copyOf(methods), List.copyOf(names), startFirstBatchAhead(plan, ids));
        }
    }

    /** The plan around this one, if any, is the last plan again; a batch JVM no run adopted is closed. */
    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        StartedAhead unused;
        synchronized (OUTER) {
            unused = current.ahead();
            current = OUTER.isEmpty() ? Plan.NONE : OUTER.pop();
        }
        if (unused != null) {
            unused.close();
        }
    }

    /**
     * Under the whole-suite switch, with a JVM per class or per run, the first batch's JVM starts now,
     * while the host still sets up its first class: its tests are not known yet, and it needs not know
     * them to boot ({@link WarmJvms}).
     */
    private static StartedAhead startFirstBatchAhead(TestPlan plan, List<String> classIds) {
        Function<String, Optional<String>> parameters = plan.getConfigurationParameters()::get;
        if (TestModes.inForkedJvm()
                || classIds.isEmpty()
                || !parameters.apply(BarcoKeys.ALL).map(Boolean::parseBoolean).orElse(false)
                || !parameters
                        .apply(BarcoKeys.START_AHEAD)
                        .map(Boolean::parseBoolean)
                        .orElse(true)
                || parameters.apply(BarcoKeys.GRANULARITY).orElse("class").equals("method")) {
            return null;
        }
        Forks forks = new Forks(BarcoRuntime.defaults());
        WarmJvms warmJvms = new WarmJvms(forks);
        warmJvms.startAhead(InBarcoSettings.defaults().configuredBy(parameters), true);
        return new StartedAhead(forks, warmJvms);
    }

    /** The batch JVMs the running plan started ahead, for its run to own from now on; empty when none, or taken. */
    static Optional<StartedAhead> adoptStartedAhead() {
        synchronized (OUTER) {
            StartedAhead ahead = current.ahead();
            if (ahead != null) {
                current = new Plan(current.classIds(), current.methodIds(), current.classNames(), null);
            }
            return Optional.ofNullable(ahead);
        }
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
        return current.methodIds().stream()
                .filter(id -> id.startsWith(classId + "/"))
                .toList();
    }

    /** The binary name of the plan's top-level class after this one, if there is one. */
    static Optional<String> classAfter(String classId) {
        Plan plan = current;
        int position = plan.classIds().indexOf(classId);
        return position >= 0 && position + 1 < plan.classNames().size()
                ? Optional.of(plan.classNames().get(position + 1))
                : Optional.empty();
    }

    /** Unique ids of the plan's top-level classes, as the last plan to start lists them. */
    static List<String> classIds() {
        return current.classIds();
    }
}
