package io.barco.plan;

import java.util.List;

/** The ordered steps that turn a spec into a running container, as the native helper executes them. */
public record LaunchPlan(List<Step> steps) {
    public LaunchPlan {
        steps = List.copyOf(steps);
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

    public List<Step> stepsOf(Op op) {
        return steps.stream().filter(s -> s.op() == op).toList();
    }
}
