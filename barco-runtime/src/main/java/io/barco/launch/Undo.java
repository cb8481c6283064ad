package io.barco.launch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a launch has created so far, to be destroyed last first when it fails: the descriptors
 * opened after the cgroup close before the cgroup is removed. A step may also be undone early, as
 * the helper's ends of the pipes are once it has them, or be kept, as what the container takes.
 */
final class Undo {
    /** One thing to destroy; undoing it twice does it once. */
    final class Step {
        private final Runnable action;

        private Step(Runnable action) {
            this.action = action;
        }

        void now() {
            if (steps.remove(this)) {
                action.run();
            }
        }
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    Step push(Runnable action) {
        Step step = new Step(action);
        steps.push(step);
        return step;
    }

    /** Undoes these steps now, last created first. */
    void now(List<Step> some) {
        List<Step> lastFirst = new ArrayList<>(some);
        java.util.Collections.reverse(lastFirst);
        lastFirst.forEach(Step::now);
    }

    /**
     * Undoes every step left, last created first, each even when an earlier one failed; a failure is
     * added to {@code cause}, the reason for undoing, which the caller rethrows.
     */
    void all(Throwable cause) {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.action.run();
            } catch (RuntimeException | Error e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Keeps everything created: it belongs to a running container now. */
    void keep() {
        steps.clear();
    }
}
