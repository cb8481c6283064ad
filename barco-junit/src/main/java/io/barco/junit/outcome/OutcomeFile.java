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
 * <p>Format, version 4: the bytes {@code BARCO-OUTCOME\n}, an int version, then records, each an int
 * length and that many bytes: a kind byte, then for {@link #STARTED} the unique id of a test or
 * container as it starts and a byte, 1 for a test,
 * for {@link #TEST} the unique id of a test or container, its status, optionally its throwable,
 * and what it spent as the fork measured it (wall, user and system CPU nanoseconds, -1 unknown), for
 * {@link #FATAL} the throwable that ended the runner itself (an OutOfMemoryError, say); {@link #END}
 * has nothing more and says the fork finished. Each record is appended in one write and
 * flushed, so that the host reads them as they come ({@link Reader}), and a fork that
 * dies leaves the outcomes of the tests it finished, and no end record. Strings are an int byte length (-1 for null) and UTF-8. A throwable is its class name,
 * {@link ThrowableData flags}, message, stack (each element's class loader, module and version,
 * class, method, file, line), the expected and actual values of an {@link AssertionFailedError} as
 * string and type name, its cause and its suppressed throwables, to bounded depth and counts.
 * All ints are big-endian.
 */
public final class OutcomeFile {
    static final byte[] MAGIC = "BARCO-OUTCOME\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 4;
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
    /**
     * The most heap the host keeps of one reported throwable (its strings and frames, estimated):
     * the rest is left out, and its message says so. A record may be far larger than what it becomes.
     */
    static final long MAX_KEPT_THROWABLE_BYTES = 1L << 20;

    public enum Status {
        SUCCESSFUL,
        ABORTED,
        FAILED
    }

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
    public record Spent(long wallNanos, long cpuUserNanos, long cpuSystemNanos, long peakResidentBytes) {
        public static final Spent UNKNOWN = new Spent(-1, -1, -1, -1);

        public Spent(long wallNanos, long cpuUserNanos, long cpuSystemNanos) {
            this(wallNanos, cpuUserNanos, cpuSystemNanos, -1);
        }
    }

    /** An outcome file that cannot be parsed: truncated, foreign, or over a cap. */
    static final class UnreadableOutcomeException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableOutcomeException(String message) {
            super(message);
        }
    }

    private OutcomeFile() {}

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

        public synchronized void test(String uniqueId, Status status, Throwable throwable, Spent spent)
                throws IOException {
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
            record.writeLong(spent.peakResidentBytes());
            emit(bytes.toByteArray());
        }

        /** A test started. */
        public synchronized void started(String uniqueId) throws IOException {
            started(uniqueId, true);
        }

        /** A test, or a container ({@code test} false: an engine, a class, a template), started. */
        public synchronized void started(String uniqueId, boolean test) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream record = new DataOutputStream(bytes);
            record.writeByte(STARTED);
            writeString(record, uniqueId);
            record.writeBoolean(test);
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
            // one write: appended whole, never interleaved with another writer's (the file is opened to append)
            out.write(ByteBuffer.allocate(4 + record.length)
                    .putInt(record.length)
                    .put(record)
                    .array());
            out.flush();
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
        writeString(
                out,
                value == null || value.getType() == null
                        ? null
                        : value.getType().getName());
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

    /** Parses an outcome file's bytes (read with a cap of {@link #MAX_FILE_BYTES}) from a fork that has ended. */
    static Outcomes parse(byte[] file) throws UnreadableOutcomeException {
        Reader reader = new Reader();
        reader.feed(file, file.length);
        if (file.length < MAGIC.length + 4) {
            throw new UnreadableOutcomeException("not a barco outcome file (" + file.length + " bytes, no header)");
        }
        reader.outcomes().close();
        return reader.outcomes();
    }

    /**
     * Reads an outcome file as the fork writes it: bytes are fed as they come, each complete record is
     * parsed at once into the {@link Outcomes} the host keeps, and only an incomplete last record is
     * kept back. Everything the fork wrote is capped as a whole ({@link #MAX_FILE_BYTES}) and record
     * by record; what it becomes on the heap is capped by {@link Outcomes}.
     */
    static final class Reader {
        private final Outcomes log = new Outcomes();
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
                buffer = Arrays.copyOf(
                        buffer, Math.max(buffer.length * 2, buffered + length)); // amortized: no copy per byte fed
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
                    throw new UnreadableOutcomeException(
                            "outcome record length " + recordLength + " is outside 1.." + MAX_RECORD_BYTES);
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
            if (buffer.length > 65536 && buffered <= 8192) {
                buffer = Arrays.copyOf(buffer, 8192); // a large record once is no reason to hold its room
            }
        }

        private void read(ByteBuffer record) throws UnreadableOutcomeException {
            byte kind = record.get();
            if (kind != TEST && kind != STARTED && kind != FATAL && kind != END) {
                throw new UnreadableOutcomeException("unknown outcome record kind " + kind);
            }
            try {
                if (kind == END) {
                    ended = true;
                    log.end();
                } else if (kind == STARTED) {
                    String id = readRequired(record, "unique id");
                    log.started(id, record.get() != 0, System.nanoTime());
                } else if (kind == FATAL) {
                    Budget budget = new Budget(log.throwableBudget());
                    ThrowableData fatal = readThrowable(record, 0, budget);
                    log.fatal(budget.finish(fatal), budget.spent);
                } else {
                    Budget budget = new Budget(log.throwableBudget());
                    TestOutcome outcome = readTest(record, budget);
                    log.finished(outcome, budget.spent);
                }
            } catch (BufferUnderflowException e) {
                throw new UnreadableOutcomeException("outcome record ends inside a field");
            }
            if (record.hasRemaining()) {
                throw new UnreadableOutcomeException(record.remaining() + " stray bytes in an outcome record");
            }
        }

        /** What was read so far: the same object each time, growing. */
        Outcomes outcomes() {
            return log;
        }
    }

    /**
     * What the host may still keep of one throwable, in estimated heap bytes. Every byte of the record
     * is still parsed (and checked); what is over the budget is skipped without being made into objects.
     */
    private static final class Budget {
        private static final int STRING_BYTES = 48;
        private static final int FRAME_BYTES = 56;
        private static final int THROWABLE_BYTES = 120;
        private long left;
        private long spent;
        private boolean cut;

        Budget(long left) {
            this.left = left;
        }

        boolean take(long bytes) {
            if (bytes > left) {
                cut = true;
                left = 0;
                return false;
            }
            left -= bytes;
            spent += bytes;
            return true;
        }

        /** Takes what is left of {@code bytes}, at most; returns what it took. */
        long takeUpTo(long bytes) {
            long taken = Math.min(bytes, left);
            cut |= taken < bytes;
            left -= taken;
            spent += taken;
            return taken;
        }

        /** The throwable as kept, its message saying when part of it was left out. */
        ThrowableData finish(ThrowableData kept) {
            if (!cut) {
                return kept;
            }
            String note = "[barco: the forked test JVM's report of this throwable went past the "
                    + (MAX_KEPT_THROWABLE_BYTES >> 10) + " KiB the host keeps of one, and the rest was left out]";
            if (kept == null) {
                return new ThrowableData("?", 0, note, List.of(), null, null, null, List.of());
            }
            return new ThrowableData(
                    kept.className(),
                    kept.flags(),
                    kept.message() == null ? note : kept.message() + " " + note,
                    kept.stack(),
                    kept.expected(),
                    kept.actual(),
                    kept.cause(),
                    kept.suppressed());
        }
    }

    private static TestOutcome readTest(ByteBuffer in, Budget budget) throws UnreadableOutcomeException {
        String id = readRequired(in, "unique id");
        int status = in.get();
        if (status < 0 || status >= Status.values().length) {
            throw new UnreadableOutcomeException("unknown test status " + status);
        }
        ThrowableData throwable = in.get() != 0 ? budget.finish(readThrowable(in, 0, budget)) : null;
        return new TestOutcome(
                id,
                Status.values()[status],
                throwable,
                new Spent(in.getLong(), in.getLong(), in.getLong(), in.getLong()));
    }

    /** A throwable as far as the budget keeps it; null when not even its class name was kept (the bytes are read all the same). */
    private static ThrowableData readThrowable(ByteBuffer in, int depth, Budget budget)
            throws UnreadableOutcomeException {
        if (depth >= MAX_DEPTH) {
            throw new UnreadableOutcomeException("throwable nested deeper than " + MAX_DEPTH);
        }
        if (in.getInt(in.position()) == -1) {
            throw new UnreadableOutcomeException("no class name in an outcome record");
        }
        boolean kept = budget.take(Budget.THROWABLE_BYTES);
        String className = readString(in, budget);
        int flags = in.get();
        String message = readString(in, budget);
        int frames = readCount(in, MAX_STACK, "stack frames");
        List<StackTraceElement> stack = new ArrayList<>(Math.min(frames, 64));
        for (int i = 0; i < frames; i++) {
            boolean frameKept = budget.take(Budget.FRAME_BYTES);
            String loader = readString(in, budget);
            String module = readString(in, budget);
            String moduleVersion = readString(in, budget);
            String declaringClass = readString(in, budget);
            String method = readString(in, budget);
            String file = readString(in, budget);
            int line = in.getInt();
            if (frameKept && declaringClass != null && method != null) {
                stack.add(new StackTraceElement(loader, module, moduleVersion, declaringClass, method, file, line));
            }
        }
        ThrowableData.Value expected = null;
        ThrowableData.Value actual = null;
        if (in.get() != 0) {
            expected = new ThrowableData.Value(readString(in, budget), readString(in, budget));
            actual = new ThrowableData.Value(readString(in, budget), readString(in, budget));
        }
        ThrowableData cause = in.get() != 0 ? readThrowable(in, depth + 1, budget) : null;
        int count = readCount(in, MAX_SUPPRESSED, "suppressed throwables");
        List<ThrowableData> suppressed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ThrowableData one = readThrowable(in, depth + 1, budget);
            if (one != null) {
                suppressed.add(one);
            }
        }
        return kept && className != null
                ? new ThrowableData(className, flags, message, List.copyOf(stack), expected, actual, cause, suppressed)
                : null;
    }

    private static int readCount(ByteBuffer in, int max, String what) throws UnreadableOutcomeException {
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw new UnreadableOutcomeException(n + " " + what + " is outside 0.." + max);
        }
        return n;
    }

    private static String readRequired(ByteBuffer in, String what) throws UnreadableOutcomeException {
        String s = readString(in, null);
        if (s == null) {
            throw new UnreadableOutcomeException("no " + what + " in an outcome record");
        }
        return s;
    }

    /**
     * A string, or as much of its start as {@code budget} keeps (all of it when null), or null when it
     * keeps none: its bytes are skipped, never decoded.
     */
    private static String readString(ByteBuffer in, Budget budget) throws UnreadableOutcomeException {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < -1 || length > MAX_STRING_BYTES || length > in.remaining()) {
            throw new UnreadableOutcomeException(
                    "string length " + length + " is outside 0.." + Math.min(MAX_STRING_BYTES, in.remaining()));
        }
        // a string decodes to at most as many heap bytes as it has UTF-8 bytes: keep the start that fits
        int keep = budget == null
                ? length
                : (int) Math.max(0, budget.takeUpTo(Budget.STRING_BYTES + length) - Budget.STRING_BYTES);
        if (keep == 0 && length > 0) {
            in.position(in.position() + length);
            return null;
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), keep, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
