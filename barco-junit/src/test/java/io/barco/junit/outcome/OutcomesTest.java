package io.barco.junit.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.fork.ForkedTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * What the host keeps of a fork's report, and what it believes: one well-nested sequence, one outcome
 * per id, decided once a believed record follows it; bounded memory whatever the fork writes.
 */
class OutcomesTest {
    private static final String CLASS = "[engine:e]/[class:C]";
    private static final String T1 = CLASS + "/[method:one()]";
    private static final String T2 = CLASS + "/[method:two()]";

    /** Feeds what {@code writes} writes to a reader, as the fork would have, and returns what the host keeps. */
    private static Outcomes read(Writes writes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutcomeFile.Writer writer = new OutcomeFile.Writer(bytes)) {
            writes.to(writer);
        }
        OutcomeFile.Reader reader = new OutcomeFile.Reader();
        byte[] file = bytes.toByteArray();
        reader.feed(file, file.length);
        return reader.outcomes();
    }

    interface Writes {
        void to(OutcomeFile.Writer writer) throws IOException;
    }

    private static void opens(OutcomeFile.Writer w) throws IOException {
        w.started("[engine:e]", false);
        w.started(CLASS, false);
    }

    private static Throwable failureOf(Outcomes outcomes, String id) {
        return new ForkedTest.Batch(outcomes, null, Optional.empty(), "exited with 0")
                .outcomeOf(id, true)
                .failure();
    }

    @Test
    void anHonestReportIsBelievedAndEachOutcomeIsDecidedOnceARecordFollowsIt() throws Exception {
        Outcomes read = read(w -> {
            opens(w);
            w.started(T1);
            w.test(T1, OutcomeFile.Status.SUCCESSFUL, null);
        });
        assertThat(read.outcomeOf(T1)).as("nothing followed it yet").isNull();
        Outcomes more = read(w -> {
            opens(w);
            w.started(T1);
            w.test(T1, OutcomeFile.Status.SUCCESSFUL, null);
            w.started(T2);
            w.test(T2, OutcomeFile.Status.FAILED, new AssertionError("two"));
            w.test(CLASS, OutcomeFile.Status.SUCCESSFUL, null);
            w.test("[engine:e]", OutcomeFile.Status.SUCCESSFUL, null);
            w.end();
        });
        assertThat(more.stopped()).isNull();
        assertThat(more.complete()).isTrue();
        assertThat(failureOf(more, T1)).isNull();
        assertThat(failureOf(more, T2)).hasMessage("two");
    }

    @Test
    void aSuccessForgedForTheNextTestWhileOneRunsIsNotBelieved() throws Exception {
        Outcomes read = read(w -> {
            opens(w);
            w.started(T1);
            w.started(T2); // written by T1, while it runs
            w.test(T2, OutcomeFile.Status.SUCCESSFUL, null);
            w.test(T1, OutcomeFile.Status.SUCCESSFUL, null);
            w.started(T2); // the runner's own, later
            w.test(T2, OutcomeFile.Status.FAILED, new AssertionError("two really failed"));
        });
        assertThat(read.stopped()).contains("inconsistent", T2 + " was reported started while " + T1 + " ran");
        assertThat(failureOf(read, T2))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("report was inconsistent");
        assertThat(failureOf(read, T1)).hasMessageContaining("report was inconsistent");
    }

    @Test
    void aForgerThatEndsItselfFirstIsCaughtByTheRunnersNextRecord() throws Exception {
        Outcomes read = read(w -> {
            opens(w);
            w.started(T1);
            w.test(T1, OutcomeFile.Status.SUCCESSFUL, null); // T1 lies about itself: no test can be kept from that
            w.started(T2);
            w.test(T2, OutcomeFile.Status.SUCCESSFUL, null);
            w.test(T1, OutcomeFile.Status.SUCCESSFUL, null); // the runner's own: T2's forged outcome was never decided
        });
        assertThat(read.stopped()).contains(T1 + " was reported ended again");
        assertThat(failureOf(read, T1)).isNull();
        assertThat(failureOf(read, T2)).hasMessageContaining("report was inconsistent");
        // and the class, which a host's @AfterAll reports
        assertThat(new ForkedTest.Batch(read, null, Optional.empty(), "exited with 0").classFailure(CLASS, true))
                .hasMessageContaining("report was inconsistent");
    }

    @Test
    void anOutcomeForATestThatNeverStartedOrAnEndWhileOneRunsIsNotBelieved() throws Exception {
        Outcomes never = read(w -> {
            opens(w);
            w.test(T2, OutcomeFile.Status.SUCCESSFUL, null);
        });
        assertThat(never.stopped()).contains(T2 + " was reported SUCCESSFUL without having started");
        Outcomes skipped = read(w -> {
            opens(w);
            w.test(T2, OutcomeFile.Status.ABORTED, null); // a skip is reported so
            w.test(CLASS, OutcomeFile.Status.SUCCESSFUL, null);
        });
        assertThat(skipped.stopped()).isNull();
        Outcomes endedEarly = read(w -> {
            opens(w);
            w.started(T1);
            w.end();
        });
        assertThat(endedEarly.stopped()).contains("the fork reported its end while " + T1 + " still ran");
        assertThat(endedEarly.complete()).isFalse();
        Outcomes elsewhere = read(w -> {
            opens(w);
            w.started("[engine:e]/[class:Other]/[method:x()]");
        });
        assertThat(elsewhere.stopped()).contains("not its container [engine:e]/[class:Other]");
    }

    @Test
    void aFloodOfTinyRecordsIsKeptUpToTheCapsAndTheRestFailsSayingSo() throws Exception {
        OutcomeFile.Reader reader = new OutcomeFile.Reader();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutcomeFile.Writer w = new OutcomeFile.Writer(bytes);
        opens(w);
        for (int i = 0; i <= Outcomes.MAX_KEPT_IDS; i++) {
            w.started(CLASS + "/[m:" + i + "]");
            w.test(CLASS + "/[m:" + i + "]", OutcomeFile.Status.SUCCESSFUL, null);
        }
        w.started(T1);
        byte[] file = bytes.toByteArray();
        reader.feed(file, file.length);
        Outcomes read = reader.outcomes();
        assertThat(read.stopped()).contains("more than the host keeps");
        assertThat(read.outcomes().size() + read.started().size()).isLessThanOrEqualTo(Outcomes.MAX_KEPT_IDS);
        assertThat(failureOf(read, T1)).hasMessageContaining("more than the host keeps");
        assertThat(failureOf(read, CLASS + "/[m:0]")).isNull();
    }

    @Test
    void aThrowableIsKeptUpToItsBudgetAndSaysWhatWasLeftOut() throws Exception {
        String big = "é".repeat(OutcomeFile.MAX_STRING_CHARS); // two UTF-8 bytes each
        Outcomes read = read(w -> {
            opens(w);
            w.started(T1);
            w.test(T1, OutcomeFile.Status.FAILED, new AssertionFailedError(big, big, big));
            w.started(T2);
        });
        Throwable kept = failureOf(read, T1);
        assertThat(kept.getMessage())
                .startsWith("éé")
                .contains("the rest was left out")
                .hasSizeLessThan(big.length() + 200);
    }
}
