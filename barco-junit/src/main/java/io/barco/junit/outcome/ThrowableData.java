package io.barco.junit.outcome;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.List;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * A throwable of the forked JVM as data, and its rebuilding on the host. No class named in the data
 * is loaded from the test's classpath: an {@link AssertionFailedError} keeps its expected and actual
 * values as text (IDEs still show the diff), an exception class of the JDK itself is rebuilt as
 * such, and anything else becomes a {@link ForkedTestException} or {@link ForkedTestError} that
 * carries the original class name, message and stack.
 */
public record ThrowableData(
        String className,
        int flags,
        String message,
        List<StackTraceElement> stack,
        Value expected,
        Value actual,
        ThrowableData cause,
        List<ThrowableData> suppressed) {

    /** A value of an assertion: its string form and the name of its type (null for a null value). */
    record Value(String text, String type) {}

    static final int ASSERTION_ERROR = 1;
    static final int ASSERTION_FAILED_ERROR = 2;
    static final int ABORTED = 4;

    static int flagsOf(Throwable t) {
        return (t instanceof AssertionError ? ASSERTION_ERROR : 0)
                | (t instanceof AssertionFailedError ? ASSERTION_FAILED_ERROR : 0)
                | (t instanceof TestAbortedException ? ABORTED : 0);
    }

    /** The throwable to rethrow on the host for a test that failed. */
    public Throwable toFailure() {
        return finish(rebuild(cause == null ? null : cause.toFailure()));
    }

    /** The throwable to rethrow on the host for a test that was aborted (an assumption failed). */
    public TestAbortedException toAborted() {
        String text = (flags & ABORTED) != 0 ? message : className + ": " + message;
        return finish(new TestAbortedException(text, cause == null ? null : cause.toFailure()));
    }

    private <T extends Throwable> T finish(T t) {
        t.setStackTrace(stack.toArray(StackTraceElement[]::new));
        suppressed.forEach(s -> t.addSuppressed(s.toFailure()));
        return t;
    }

    private Throwable rebuild(Throwable rebuiltCause) {
        if ((flags & ASSERTION_FAILED_ERROR) != 0) {
            return expected == null
                    ? new AssertionFailedError(message, rebuiltCause)
                    : new AssertionFailedError(message, valueOf(expected), valueOf(actual), rebuiltCause);
        }
        if ((flags & ABORTED) != 0) {
            return new TestAbortedException(message, rebuiltCause);
        }
        Throwable jdk = jdkThrowable();
        if (jdk != null) {
            if (rebuiltCause != null) {
                try {
                    jdk.initCause(rebuiltCause);
                } catch (IllegalStateException e) {
                    // a JDK constructor that set its own cause: keep it as it is
                }
            }
            return jdk;
        }
        return (flags & ASSERTION_ERROR) != 0
                ? new ForkedTestError(className, message, rebuiltCause)
                : new ForkedTestException(className, message, rebuiltCause);
    }

    /** The text stands for the value: its string form is what diffs show. */
    private static Object valueOf(Value value) {
        return value == null || value.type() == null ? null : value.text();
    }

    /**
     * An exception, or assertion error, whose class belongs to the JDK itself (java.*, loaded by the
     * boot or platform loader, never the test's classpath) and has a public constructor taking the
     * message: rebuilt as itself, so reports name its real type. Errors such as OutOfMemoryError are
     * not rebuilt: JUnit would take them for the host's own and end the run.
     */
    private Throwable jdkThrowable() {
        if (!className.startsWith("java.")) {
            return null;
        }
        try {
            Class<?> type = Class.forName(className, false, ClassLoader.getPlatformClassLoader());
            boolean jdkLoaded =
                    type.getClassLoader() == null || type.getClassLoader() == ClassLoader.getPlatformClassLoader();
            boolean allowed = Exception.class.isAssignableFrom(type) || AssertionError.class.isAssignableFrom(type);
            if (!jdkLoaded
                    || !allowed
                    || Modifier.isAbstract(type.getModifiers())
                    || !Modifier.isPublic(type.getModifiers())) {
                return null;
            }
            Constructor<?> constructor = type.getConstructor(String.class);
            return (Throwable) constructor.newInstance(message);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** As Throwable.toString() would have said it of the original. */
    private static String describe(String originalClassName, String message) {
        return message != null ? originalClassName + ": " + message : originalClassName;
    }

    /** An exception of the forked test whose class the host does not load: its toString names the original. */
    static final class ForkedTestException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String originalClassName;

        ForkedTestException(String originalClassName, String message, Throwable cause) {
            super(message, cause);
            this.originalClassName = originalClassName;
        }

        String originalClassName() {
            return originalClassName;
        }

        @Override
        public String toString() {
            return describe(originalClassName, getLocalizedMessage());
        }
    }

    /** An assertion error of the forked test (a failure, not an error, in reports) whose class the host does not load. */
    static final class ForkedTestError extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final String originalClassName;

        ForkedTestError(String originalClassName, String message, Throwable cause) {
            super(message, cause);
            this.originalClassName = originalClassName;
        }

        String originalClassName() {
            return originalClassName;
        }

        @Override
        public String toString() {
            return describe(originalClassName, getLocalizedMessage());
        }
    }
}
