package io.barco.plan;

import java.util.List;

/** The ordered steps that turn a spec into a running container, as the native helper executes them. */
public record LaunchPlan(List<Step> steps) {
    /** The most steps the helper reads in one plan. */
    public static final int MAX_STEPS = 100_000;

    public LaunchPlan {
        steps = List.copyOf(steps);
        if (steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a plan of " + steps.size() + " steps, over the helper's " + MAX_STEPS);
        }
    }

    /** The step at {@code index}, as reported back by the helper. */
    public Step step(int index) {
        return steps.get(index);
    }

    public int indexOf(Op op) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).op() == op) {
                return i;
            }
        }
        return -1;
    }

    /** The steps of one kind, in order: {@code stepsOf(Step.Mount.class)}. */
    public <T extends Step> List<T> stepsOf(Class<T> kind) {
        return steps.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
