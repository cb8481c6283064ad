package io.barco.junit.outcome;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.ValueWrapper;

/**
 * How a forked JVM tells the host how its tests ended: plain data, never Java serialization. The
 * file is written inside the container, so the host parses it as untrusted input: every length and
 * count is capped, and nothing in it names a class the host would load.
 *
 * <p>Format, version 2: the bytes {@code BARCO-OUTCOME\n}, an int version, then records, each an int
 * length and that many bytes: a kind byte, then for {@link #STARTED} a test's unique id as it starts,
 * for {@link #TEST} the unique id of a test or container, its status, optionally its throwable,
 * and what it spent as the fork measured it (wall, user and system CPU nanoseconds, -1 unknown), for
 * {@link #FATAL} the throwable that ended the runner itself (an OutOfMemoryError, say); {@link #END}
 * has nothing more and says the fork finished. Records
 * are flushed one by one, so that the host reads them as they come ({@link Reader}), and a fork that
 * dies leaves the outcomes of the tests it finished, and no end record. Strings are an int byte length (-1 for null) and UTF-8. A throwable is its class name,
 * {@link ThrowableData flags}, message, stack (each element's class loader, module and version,
 * class, method, file, line), the expected and actual values of an {@link AssertionFailedError} as
 * string and type name, its cause and its suppressed throwables, to bounded depth and counts.
 * All ints are big-endian.
 */
public final class OutcomeFile {
    static final byte[] MAGIC = "BARCO-OUTCOME\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;
    static final byte TEST = 1;
    static final byte END = 2;
    static final byte STARTED = 3;
    static final byte FATAL = 4;

    /** The most the host reads: far above any honest outcome, far below a host heap. */
    static final long MAX_FILE_BYTES = 64L << 20;
    static final int MAX_RECORD_BYTES = 16 << 20;
    static final int MAX_STRING_BYTES = 1 << 20;
    /** The writer keeps the first characters of a longer message; UTF-8 takes at most 3 bytes per char. */
    static final int MAX_STRING_CHARS = MAX_STRING_BYTES / 3;
    static final int MAX_STACK = 1024;
    static final int MAX_DEPTH = 8;
    static final int MAX_SUPPRESSED = 16;

    public enum Status { SUCCESSFUL, ABORTED, FAILED }

    /** One test's (or container's) outcome, as data. */
    public record TestOutcome(String uniqueId, Status status, ThrowableData throwable, Spent spent) {
        TestOutcome(String uniqueId, Status status, ThrowableData throwable) {
            this(uniqueId, status, throwable, Spent.UNKNOWN);
        }
    }

    /**
     * What a test spent, as its own JVM measured it: wall time and the JVM's CPU time while it ran, in
     * nanoseconds, -1 when unknown. The fork reports these about itself, so they inform, not prove.
     */
    public record Spent(long wallNanos, long cpuUserNanos, long cpuSystemNanos) {
        public static final Spent UNKNOWN = new Spent(-1, -1, -1);
    }

    /** What was read: the tests started, the outcomes, and whether the fork got to write its end record. */
    public record Outcomes(List<String> started, List<TestOutcome> outcomes, boolean complete, ThrowableData fatal) {
        public static final Outcomes NONE = new Outcomes(List.of(), List.of(), false, null);
    }

    /** An outcome file that cannot be parsed: truncated, foreign, or over a cap. */
    static final class UnreadableOutcomeException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableOutcomeException(String message) {
            super(message);
        }
    }

    private OutcomeFile() {
    }

    // ---- writing, in the forked JVM ------------------------------------------------------------

    /** Writes records as tests end; each reaches the file before the next test starts. */
    public static final class Writer implements AutoCloseable {
        private final OutputStream out;

        public Writer(OutputStream out) throws IOException {
            this.out = out;
            DataOutputStream header = new DataOutputStream(out);
            header.write(MAGIC);
            header.writeInt(VERSION);
            header.flush();
        }

        public synchronized void test(String uniqueId, Status status, Throwable throwable) throws IOException {
            test(uniqueId, status, throwable, Spent.UNKNOWN);
        }

        public synchronized void test(String uniqueId, Status status, Throwable throwable, Spent spent) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream record = new DataOutputStream(bytes);
            record.writeByte(TEST);
            writeString(record, uniqueId);
            record.writeByte(status.ordinal());
            record.writeBoolean(throwable != null);
            if (throwable != null) {
                writeThrowable(record, throwable, 0);
            }
            record.writeLong(spent.wallNanos());
            record.writeLong(spent.cpuUserNanos());
            record.writeLong(spent.cpuSystemNanos());
            emit(bytes.toByteArray());
        }

        public synchronized void started(String uniqueId) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream record = new DataOutputStream(bytes);
            record.writeByte(STARTED);
            writeString(record, uniqueId);
            emit(bytes.toByteArray());
        }

        /** What ended the runner before its tests did: the tests it ran when it came fail with it. */
        public synchronized void fatal(Throwable throwable) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream record = new DataOutputStream(bytes);
            record.writeByte(FATAL);
            writeThrowable(record, throwable, 0);
            emit(bytes.toByteArray());
        }

        public synchronized void end() throws IOException {
            emit(new byte[] {END});
        }

        private void emit(byte[] record) throws IOException {
            if (record.length > MAX_RECORD_BYTES) {
                throw new IOException("outcome record of " + record.length + " bytes exceeds " + MAX_RECORD_BYTES);
            }
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(record.length);
            data.write(record);
            data.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private static void writeThrowable(DataOutputStream out, Throwable t, int depth) throws IOException {
        writeString(out, t.getClass().getName());
        out.writeByte(ThrowableData.flagsOf(t));
        writeString(out, safeMessage(t));
        StackTraceElement[] stack = t.getStackTrace();
        int frames = Math.min(stack.length, MAX_STACK);
        out.writeInt(frames);
        for (int i = 0; i < frames; i++) {
            StackTraceElement e = stack[i];
            writeString(out, e.getClassLoaderName());
            writeString(out, e.getModuleName());
            writeString(out, e.getModuleVersion());
            writeString(out, e.getClassName());
            writeString(out, e.getMethodName());
            writeString(out, e.getFileName());
            out.writeInt(e.getLineNumber());
        }
        boolean values = t instanceof AssertionFailedError afe && (afe.isExpectedDefined() || afe.isActualDefined());
        out.writeBoolean(values);
        if (values) {
            AssertionFailedError afe = (AssertionFailedError) t;
            writeValue(out, afe.isExpectedDefined() ? afe.getExpected() : null);
            writeValue(out, afe.isActualDefined() ? afe.getActual() : null);
        }
        Throwable cause = t.getCause();
        boolean writeCause = cause != null && cause != t && depth + 1 < MAX_DEPTH;
        out.writeBoolean(writeCause);
        if (writeCause) {
            writeThrowable(out, cause, depth + 1);
        }
        Throwable[] suppressed = depth + 1 < MAX_DEPTH ? t.getSuppressed() : new Throwable[0];
        int count = Math.min(suppressed.length, MAX_SUPPRESSED);
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            writeThrowable(out, suppressed[i], depth + 1);
        }
    }

    /** A value is its string form and its type's name; an undefined one is two nulls. */
    private static void writeValue(DataOutputStream out, ValueWrapper value) throws IOException {
        writeString(out, value == null ? null : value.getStringRepresentation());
        writeString(out, value == null || value.getType() == null ? null : value.getType().getName());
    }

    /** getMessage() is the test's code: it may throw, or be huge. */
    private static String safeMessage(Throwable t) {
        try {
            return t.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return "<getMessage() threw " + e.getClass().getName() + ">";
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        String kept = s.length() > MAX_STRING_CHARS ? s.substring(0, MAX_STRING_CHARS) : s;
        byte[] bytes = kept.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    // ---- reading, on the host ------------------------------------------------------------------

    /** Parses an outcome file's bytes (read with a cap of {@link #MAX_FILE_BYTES}). */
    static Outcomes parse(byte[] file) throws UnreadableOutcomeException {
        Reader reader = new Reader();
        reader.feed(file, file.length);
        if (file.length < MAGIC.length + 4) {
            throw new UnreadableOutcomeException("not a barco outcome file (" + file.length + " bytes, no header)");
        }
        return reader.outcomes();
    }

    /**
     * Reads an outcome file as the fork writes it: bytes are fed as they come, each complete record is
     * parsed at once, and only an incomplete last record is kept back. Everything the fork wrote is
     * capped as a whole ({@link #MAX_FILE_BYTES}) and record by record.
     */
    static final class Reader {
        private final List<String> started = new ArrayList<>();
        private final List<TestOutcome> outcomes = new ArrayList<>();
        private ThrowableData fatal;
        private boolean ended;
        private boolean headerRead;
        private long total;
        private byte[] buffer = new byte[8192];
        private int buffered;

        /** Parses what {@code length} more bytes complete. */
        void feed(byte[] bytes, int length) throws UnreadableOutcomeException {
            total += length;
            if (total > MAX_FILE_BYTES) {
                throw new UnreadableOutcomeException("outcome file grew past " + MAX_FILE_BYTES + " bytes");
            }
            if (ended && length > 0) {
                throw new UnreadableOutcomeException(length + " bytes after the end record");
            }
            if (buffered + length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + length)); // amortized: no copy per byte fed
            }
            System.arraycopy(bytes, 0, buffer, buffered, length);
            buffered += length;
            ByteBuffer in = ByteBuffer.wrap(buffer, 0, buffered);
            if (!headerRead) {
                int prefix = Math.min(buffered, MAGIC.length);
                if (!Arrays.equals(Arrays.copyOf(buffer, prefix), Arrays.copyOf(MAGIC, prefix))) {
                    throw new UnreadableOutcomeException("not a barco outcome file (no header)");
                }
                if (buffered < MAGIC.length + 4) {
                    return;
                }
                in.position(MAGIC.length);
                int version = in.getInt();
                if (version != VERSION) {
                    throw new UnreadableOutcomeException("outcome file version " + version + ", expected " + VERSION);
                }
                headerRead = true;
            }
            while (in.remaining() >= 4) {
                int recordLength = in.getInt(in.position());
                if (recordLength < 1 || recordLength > MAX_RECORD_BYTES) {
                    throw new UnreadableOutcomeException("outcome record length " + recordLength + " is outside 1.." + MAX_RECORD_BYTES);
                }
                if (recordLength > in.remaining() - 4) {
                    break; // not all here yet (or the fork died while writing it: what came before stands)
                }
                in.position(in.position() + 4);
                ByteBuffer record = in.slice(in.position(), recordLength);
                in.position(in.position() + recordLength);
                read(record);
                if (ended && in.hasRemaining()) {
                    throw new UnreadableOutcomeException(in.remaining() + " bytes after the end record");
                }
            }
            System.arraycopy(buffer, in.position(), buffer, 0, buffered - in.position());
            buffered -= in.position();
        }

        private void read(ByteBuffer record) throws UnreadableOutcomeException {
            byte kind = record.get();
            if (kind == END) {
                ended = true;
            } else if (kind != TEST && kind != STARTED && kind != FATAL) {
                throw new UnreadableOutcomeException("unknown outcome record kind " + kind);
            }
            try {
                if (kind == STARTED) {
                    started.add(readRequired(record, "unique id"));
                } else if (kind == FATAL) {
                    fatal = readThrowable(record, 0);
                } else if (kind == TEST) {
                    outcomes.add(readTest(record));
                }
            } catch (BufferUnderflowException e) {
                throw new UnreadableOutcomeException("outcome record ends inside a field");
            }
            if (record.hasRemaining()) {
                throw new UnreadableOutcomeException(record.remaining() + " stray bytes in an outcome record");
            }
        }

        /** What was read so far; complete once the end record came and no fatal one before it. */
        Outcomes outcomes() {
            return new Outcomes(List.copyOf(started), List.copyOf(outcomes), ended && fatal == null, fatal);
        }
    }

    private static TestOutcome readTest(ByteBuffer in) throws UnreadableOutcomeException {
        String id = readRequired(in, "unique id");
        int status = in.get();
        if (status < 0 || status >= Status.values().length) {
            throw new UnreadableOutcomeException("unknown test status " + status);
        }
        ThrowableData throwable = in.get() != 0 ? readThrowable(in, 0) : null;
        return new TestOutcome(id, Status.values()[status], throwable, new Spent(in.getLong(), in.getLong(), in.getLong()));
    }

    private static ThrowableData readThrowable(ByteBuffer in, int depth) throws UnreadableOutcomeException {
        if (depth >= MAX_DEPTH) {
            throw new UnreadableOutcomeException("throwable nested deeper than " + MAX_DEPTH);
        }
        String className = readRequired(in, "class name");
        int flags = in.get();
        String message = readString(in);
        int frames = readCount(in, MAX_STACK, "stack frames");
        StackTraceElement[] stack = new StackTraceElement[frames];
        for (int i = 0; i < frames; i++) {
            String loader = readString(in);
            String module = readString(in);
            String moduleVersion = readString(in);
            String declaringClass = readRequired(in, "stack frame class");
            String method = readRequired(in, "stack frame method");
            String file = readString(in);
            stack[i] = new StackTraceElement(loader, module, moduleVersion, declaringClass, method, file, in.getInt());
        }
        ThrowableData.Value expected = null;
        ThrowableData.Value actual = null;
        if (in.get() != 0) {
            expected = new ThrowableData.Value(readString(in), readString(in));
            actual = new ThrowableData.Value(readString(in), readString(in));
        }
        ThrowableData cause = in.get() != 0 ? readThrowable(in, depth + 1) : null;
        int count = readCount(in, MAX_SUPPRESSED, "suppressed throwables");
        List<ThrowableData> suppressed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            suppressed.add(readThrowable(in, depth + 1));
        }
        return new ThrowableData(className, flags, message, List.of(stack), expected, actual, cause, suppressed);
    }

    private static int readCount(ByteBuffer in, int max, String what) throws UnreadableOutcomeException {
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw new UnreadableOutcomeException(n + " " + what + " is outside 0.." + max);
        }
        return n;
    }

    private static String readRequired(ByteBuffer in, String what) throws UnreadableOutcomeException {
        String s = readString(in);
        if (s == null) {
            throw new UnreadableOutcomeException("no " + what + " in an outcome record");
        }
        return s;
    }

    private static String readString(ByteBuffer in) throws UnreadableOutcomeException {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < -1 || length > MAX_STRING_BYTES || length > in.remaining()) {
            throw new UnreadableOutcomeException("string length " + length + " is outside 0.."
                    + Math.min(MAX_STRING_BYTES, in.remaining()));
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
