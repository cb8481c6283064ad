package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.outcome.Outcomes;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the host ends a fork: a test past its timeout and the grace, or the fork past barco.forkTimeout; never before. */
class ForkDeadlineTest {
    private static final long S = 1_000_000_000L;
    private static final String TEST = "[engine:junit-jupiter]/[class:a.B]/[method:hangs()]";

    @Test
    void aTestIsGivenItsTimeoutAndTheGraceFromWhenTheHostReadItsStart() {
        ForkDeadline deadline = new ForkDeadline(Optional.of(Duration.ofSeconds(5)), Duration.ofMinutes(60), 0);
        Optional<Outcomes.Running> running = Optional.of(new Outcomes.Running(TEST, true, 100 * S));
        assertThat(deadline.overdue(running, 100 * S + 10 * S)).isEmpty();
        assertThat(deadline.overdue(running, 100 * S + 10 * S + 1))
                .hasValue("hangs() timed out after 5s and had not ended 5s later");
        assertThat(deadline.overdue(Optional.empty(), 1000 * S))
                .as("between tests: the fork's bound only")
                .isEmpty();
    }

    @Test
    void everyForkEndsAtTheForkTimeout() {
        ForkDeadline deadline = new ForkDeadline(Optional.empty(), Duration.ofMinutes(1), 7 * S);
        Optional<Outcomes.Running> running = Optional.of(new Outcomes.Running(TEST, true, 8 * S));
        assertThat(deadline.overdue(running, 67 * S)).isEmpty();
        assertThat(deadline.overdue(running, 67 * S + 1)).hasValue("it ran past barco.forkTimeout=1m");
        assertThat(deadline.left(37 * S)).isEqualTo(Duration.ofSeconds(30));
        assertThat(deadline.left(100 * S)).isZero();
    }

    @Test
    void aTestIsNamedByItsMethodOrInvocationAndTheForksTextIsTamed() {
        assertThat(TestNames.of(TEST)).isEqualTo("hangs()");
        assertThat(TestNames.of("[engine:e]/[class:C]/[test-template:add(int)]/[test-template-invocation:#2]"))
                .isEqualTo("add(int) #2");
        assertThat(TestNames.of("[engine:e]/[class:C]/[method:a\nb()]")).isEqualTo("a?b()");
        assertThat(TestNames.of("x".repeat(1000))).hasSize(201);
    }
}
