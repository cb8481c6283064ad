package io.barco.junit.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.junit.fork.ForkedTest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The outcome format: what a fork writes comes back as the same outcome; hostile bytes are refused. */
class OutcomeFileTest {

    private static byte[] write(Writes writes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutcomeFile.Writer writer = new OutcomeFile.Writer(bytes)) {
            writes.to(writer);
        }
        return bytes.toByteArray();
    }

    interface Writes {
        void to(OutcomeFile.Writer writer) throws IOException;
    }

    /** A test that started and ended, as the runner reports one. */
    private static void ran(OutcomeFile.Writer w, String id, OutcomeFile.Status status, Throwable throwable)
            throws IOException {
        w.started(id);
        w.test(id, status, throwable);
    }

    @Test
    void anAssertionFailureComesBackWithItsValuesStackCauseAndSuppressed() throws Exception {
        AssertionFailedError failure = new AssertionFailedError(
                "expected: <42> but was: <41>", 42, 41, new IllegalStateException("the cause"));
        failure.addSuppressed(new IOException("suppressed one"));
        byte[] file = write(w -> {
            w.started("[test:a]");
            w.test("[test:a]", OutcomeFile.Status.FAILED, failure);
            w.end();
        });

        Outcomes read = OutcomeFile.parse(file);

        assertThat(read.complete()).isTrue();
        assertThat(read.started()).containsExactly("[test:a]");
        Throwable back = ForkedTest.failureOf(read.outcomes().get(0));
        assertThat(back).isExactlyInstanceOf(AssertionFailedError.class).hasMessage("expected: <42> but was: <41>");
        AssertionFailedError afe = (AssertionFailedError) back;
        assertThat(afe.getExpected().getStringRepresentation()).isEqualTo("42");
        assertThat(afe.getActual().getStringRepresentation()).isEqualTo("41");
        assertThat(back.getStackTrace()).isEqualTo(failure.getStackTrace());
        assertThat(back.getCause())
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("the cause");
        assertThat(back.getSuppressed())
                .singleElement()
                .satisfies(s ->
                        assertThat(s).isExactlyInstanceOf(IOException.class).hasMessage("suppressed one"));
    }

    /** A class of the test's own, never loaded by the host. */
    static final class CustomTestException extends RuntimeException {
        CustomTestException(String message) {
            super(message);
        }
    }

    static final class CustomAssertionError extends AssertionError {
        CustomAssertionError(String message) {
            super(message);
        }
    }

    @Test
    void exceptionsOfTheTestsOwnClassesComeBackAsCarriersOfTheirClassName() throws Exception {
        byte[] file = write(w -> {
            ran(w, "[test:a]", OutcomeFile.Status.FAILED, new CustomTestException("boom"));
            ran(w, "[test:b]", OutcomeFile.Status.FAILED, new CustomAssertionError("bad"));
            w.end();
        });
        Outcomes read = OutcomeFile.parse(file);
        Throwable a = ForkedTest.failureOf(read.outcomes().get(0));
        Throwable b = ForkedTest.failureOf(read.outcomes().get(1));
        assertThat(a)
                .isInstanceOf(ThrowableData.ForkedTestException.class)
                .hasToString(CustomTestException.class.getName() + ": boom");
        // an assertion error stays one, so reports count it as a failure, not an error
        assertThat(b).isInstanceOf(AssertionError.class).hasToString(CustomAssertionError.class.getName() + ": bad");
    }

    @Test
    void aJdkExceptionComesBackAsItselfButNotAVirtualMachineError() throws Exception {
        byte[] file = write(w -> {
            ran(w, "[test:a]", OutcomeFile.Status.FAILED, new IllegalArgumentException("no"));
            ran(w, "[test:b]", OutcomeFile.Status.FAILED, new OutOfMemoryError("Java heap space"));
            w.end();
        });
        Outcomes read = OutcomeFile.parse(file);
        assertThat(ForkedTest.failureOf(read.outcomes().get(0)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("no");
        // JUnit would take an OutOfMemoryError thrown on the host for the host's own and end the run
        assertThat(ForkedTest.failureOf(read.outcomes().get(1)))
                .isInstanceOf(ThrowableData.ForkedTestException.class)
                .hasToString("java.lang.OutOfMemoryError: Java heap space");
    }

    @Test
    void anAbortAndASuccessComeBackAsSuch() throws Exception {
        byte[] file = write(w -> {
            ran(
                    w,
                    "[test:a]",
                    OutcomeFile.Status.ABORTED,
                    new TestAbortedException("Assumption failed: not on Sundays"));
            ran(w, "[test:b]", OutcomeFile.Status.SUCCESSFUL, null);
            w.end();
        });
        Outcomes read = OutcomeFile.parse(file);
        assertThat(ForkedTest.failureOf(read.outcomes().get(0)))
                .isExactlyInstanceOf(TestAbortedException.class)
                .hasMessage("Assumption failed: not on Sundays");
        assertThat(ForkedTest.failureOf(read.outcomes().get(1))).isNull();
    }

    @Test
    void aForkThatDiedKeepsWhatItFinishedAndSaysItIsIncomplete() throws Exception {
        byte[] file = write(w -> {
            ran(w, "[test:a]", OutcomeFile.Status.SUCCESSFUL, null);
            w.started("[test:b]");
            w.test("[test:b]", OutcomeFile.Status.FAILED, new AssertionError("cut short"));
        });
        byte[] cut = Arrays.copyOf(file, file.length - 5); // the last record half written
        Outcomes read = OutcomeFile.parse(cut);
        assertThat(read.complete()).isFalse();
        assertThat(read.outcomes())
                .extracting(OutcomeFile.TestOutcome::uniqueId)
                .containsExactly("[test:a]");
        assertThat(read.started()).containsExactly("[test:a]", "[test:b]");
    }

    /** The host reads the file as the fork writes it: any cut between bytes gives what was complete, then the rest. */
    @Test
    void readAsItGrowsEachRecordComesOnceItIsWhole() throws Exception {
        byte[] file = write(w -> {
            w.started("[test:a]");
            w.test("[test:a]", OutcomeFile.Status.SUCCESSFUL, null, new OutcomeFile.Spent(5_000_000, 10_000_000, 0));
            w.started("[test:b]");
            w.test("[test:b]", OutcomeFile.Status.FAILED, new AssertionError("no"));
            w.end();
        });
        for (int cut = 0; cut <= file.length; cut++) {
            OutcomeFile.Reader reader = new OutcomeFile.Reader();
            reader.feed(file, cut);
            Outcomes early = reader.outcomes();
            assertThat(early.complete()).isEqualTo(cut == file.length);
            reader.feed(Arrays.copyOfRange(file, cut, file.length), file.length - cut);
            Outcomes read = reader.outcomes();
            assertThat(read.complete()).isTrue();
            assertThat(read.started()).containsExactly("[test:a]", "[test:b]");
            assertThat(read.outcomes())
                    .extracting(OutcomeFile.TestOutcome::uniqueId)
                    .containsExactly("[test:a]", "[test:b]");
            assertThat(read.outcomes().get(0).spent()).isEqualTo(new OutcomeFile.Spent(5_000_000, 10_000_000, 0));
            assertThat(read.outcomes().get(1).spent()).isEqualTo(OutcomeFile.Spent.UNKNOWN);
        }
        // byte by byte, as a slow writer would leave it
        OutcomeFile.Reader reader = new OutcomeFile.Reader();
        for (byte b : file) {
            reader.feed(new byte[] {b}, 1);
        }
        assertThat(reader.outcomes().outcomes()).hasSize(2);
    }

    @Test
    void nothingIsBelievedAfterTheEndRecordOrPastTheCap() throws Exception {
        byte[] file = write(w -> w.end());
        OutcomeFile.Reader reader = new OutcomeFile.Reader();
        reader.feed(file, file.length);
        assertThatThrownBy(() -> reader.feed(new byte[] {0, 0, 0, 1, OutcomeFile.END}, 5))
                .hasMessageContaining("after the end record");
        // well-formed records, without end: the whole is capped all the same
        byte[] header = write(w -> {});
        byte[] withRecord = write(w -> w.started("x".repeat(OutcomeFile.MAX_STRING_CHARS)));
        byte[] record = Arrays.copyOfRange(withRecord, header.length, withRecord.length);
        OutcomeFile.Reader flooded = new OutcomeFile.Reader();
        flooded.feed(header, header.length);
        assertThatThrownBy(() -> {
                    for (long fed = 0; fed <= OutcomeFile.MAX_FILE_BYTES; fed += record.length) {
                        flooded.feed(record, record.length);
                    }
                })
                .hasMessageContaining("outcome file grew past " + OutcomeFile.MAX_FILE_BYTES + " bytes");
        assertThatThrownBy(() ->
                        new OutcomeFile.Reader().feed("ACED".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 4))
                .hasMessageContaining("not a barco outcome file");
    }

    @Test
    void aBatchReportsTestsNeverReachedAsAbortedAndTheOneRunningAsFailed() throws Exception {
        Outcomes read = OutcomeFile.parse(write(w -> {
            w.started("[class:C]", false);
            ran(w, "[class:C]/[test:a]", OutcomeFile.Status.SUCCESSFUL, null);
            w.started("[class:C]/[test:b]");
        }));
        ForkedTest.Batch batch = new ForkedTest.Batch(read, null, java.util.Optional.empty(), "exited with 3");
        assertThat(batch.outcomeOf("[class:C]/[test:a]", true).failure()).isNull();
        assertThat(batch.outcomeOf("[class:C]/[test:b]", true).failure())
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("the forked test JVM exited with 3 while this test ran");
        assertThat(batch.outcomeOf("[class:C]/[test:c]", true).failure())
                .isInstanceOf(TestAbortedException.class)
                .hasMessage("not run: the forked test JVM exited with 3 before it reached this test");
    }

    @Test
    void aFailedContainerAboveATestIsItsOutcome() throws Exception {
        Outcomes read = OutcomeFile.parse(write(w -> {
            w.started("[class:C]", false);
            w.test("[class:C]", OutcomeFile.Status.FAILED, new IllegalStateException("@BeforeAll failed"));
            w.end();
        }));
        ForkedTest.Batch batch = new ForkedTest.Batch(read, null, java.util.Optional.empty(), "exited with 0");
        assertThat(batch.outcomeOf("[class:C]/[test:a]", true).failure()).hasMessage("@BeforeAll failed");
        assertThat(batch.outcomeOf("[class:Other]/[test:a]", true)).isNull();
    }

    @Test
    void hugeMessagesStacksAndChainsAreCutByTheWriter() throws Exception {
        AssertionError huge = new AssertionError("x".repeat(5_000_000));
        StackTraceElement[] stack = new StackTraceElement[5000];
        Arrays.fill(stack, new StackTraceElement("C", "m", "C.java", 1));
        huge.setStackTrace(stack);
        Throwable chain = new RuntimeException("bottom");
        for (int i = 0; i < 50; i++) {
            chain = new RuntimeException("level " + i, chain);
        }
        Throwable deep = chain;
        Outcomes read = OutcomeFile.parse(write(w -> {
            ran(w, "[test:a]", OutcomeFile.Status.FAILED, huge);
            ran(w, "[test:b]", OutcomeFile.Status.FAILED, deep);
            w.end();
        }));
        Throwable cut = ForkedTest.failureOf(read.outcomes().get(0));
        assertThat(cut.getMessage()).hasSize(OutcomeFile.MAX_STRING_CHARS);
        assertThat(cut.getStackTrace()).hasSize(OutcomeFile.MAX_STACK);
        int depth = 0;
        for (Throwable t = ForkedTest.failureOf(read.outcomes().get(1)); t != null; t = t.getCause()) {
            depth++;
        }
        assertThat(depth).isEqualTo(OutcomeFile.MAX_DEPTH);
    }

    // ---- hostile bytes ---------------------------------------------------------------------------

    @Test
    void aJavaSerializedObjectIsNotAnOutcome() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject((Serializable) new java.util.HashMap<String, String>());
        }
        assertThatThrownBy(() -> OutcomeFile.parse(bytes.toByteArray()))
                .isInstanceOf(OutcomeFile.UnreadableOutcomeException.class)
                .hasMessageContaining("not a barco outcome file");
    }

    @Test
    void lengthsAndCountsOutsideTheirCapsAreRefused() throws Exception {
        assertThatThrownBy(() ->
                        OutcomeFile.parse(header().putInt(Integer.MAX_VALUE).array()))
                .hasMessageContaining("outcome record length 2147483647 is outside");
        // a record claiming a 100 MB string
        assertThatThrownBy(() -> OutcomeFile.parse(record(r -> {
                    r.writeByte(OutcomeFile.TEST);
                    r.writeInt(100 << 20);
                })))
                .hasMessageContaining("string length 104857600 is outside");
        // a throwable claiming two billion stack frames
        assertThatThrownBy(() -> OutcomeFile.parse(record(r -> {
                    r.writeByte(OutcomeFile.TEST);
                    string(r, "[test:a]");
                    r.writeByte(2);
                    r.writeBoolean(true);
                    string(r, "java.lang.AssertionError");
                    r.writeByte(1);
                    string(r, "m");
                    r.writeInt(2_000_000_000);
                })))
                .hasMessageContaining("2000000000 stack frames is outside 0..1024");
        assertThatThrownBy(() -> OutcomeFile.parse(record(r -> r.writeByte(99))))
                .hasMessageContaining("unknown outcome record kind 99");
        assertThatThrownBy(() -> OutcomeFile.parse(record(r -> {
                    r.writeByte(OutcomeFile.TEST);
                    string(r, "[test:a]");
                    r.writeByte(7);
                })))
                .hasMessageContaining("unknown test status 7");
    }

    @Test
    void aRecordEndingInsideAFieldIsRefused() throws Exception {
        assertThatThrownBy(() -> OutcomeFile.parse(record(r -> {
                    r.writeByte(OutcomeFile.TEST);
                    string(r, "[test:a]");
                })))
                .hasMessageContaining("ends inside a field");
    }

    interface Body {
        void to(DataOutputStream record) throws IOException;
    }

    private static ByteBuffer header() {
        ByteBuffer b = ByteBuffer.allocate(OutcomeFile.MAGIC.length + 8);
        b.put(OutcomeFile.MAGIC).putInt(OutcomeFile.VERSION);
        return b;
    }

    private static byte[] record(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.to(new DataOutputStream(bytes));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(OutcomeFile.MAGIC);
        out.writeInt(OutcomeFile.VERSION);
        out.writeInt(bytes.size());
        out.write(bytes.toByteArray());
        return file.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
