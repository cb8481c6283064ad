package io.barco.testing;

import io.barco.BarcoRuntime;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Tests that start real containers. On a host that cannot (not Linux, not root, user namespaces
 * off) they are skipped with the exact reason, unless BARCO_REQUIRE_PRIVILEGED=1, which makes that
 * a failure: CI sets it, because its host can run them all.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresContainers.Condition.class)
public @interface RequiresContainers {
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String problem = BarcoRuntime.defaults().hostProblem();
            if (problem == null) {
                return ConditionEvaluationResult.enabled("this host can run containers");
            }
            if ("1".equals(System.getenv("BARCO_REQUIRE_PRIVILEGED"))) {
                throw new IllegalStateException(
                        "BARCO_REQUIRE_PRIVILEGED=1 but this host cannot run containers: " + problem);
            }
            return ConditionEvaluationResult.disabled("this host cannot run containers: " + problem);
        }
    }
}
