package io.barco.junit;

import io.barco.cgroup.ResourceUsage;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * JVM mode: runs one test, or a batch, in a {@link ForkedJvm} and brings the outcome back. The forked
 * JVM gets the host's classpath (bound in where the container user could not reach it), runs tests
 * by their unique ids through the JUnit Platform launcher, and writes the outcome to a directory
 * bound from the host. Its output streams to the host's as it comes.
 */
final class ForkedTest {

    /** How the forked test ended, as {@link ForkedTestRunner} writes it. */
    record Result(String status, Throwable throwable) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The outcome on the host: rethrow it to make the host's test end the same way. */
    record Outcome(Throwable failure, Optional<ResourceUsage> usage) {
        void rethrow() throws Throwable {
            if (failure != null) {
                throw failure;
            }
        }
    }

    private ForkedTest() {
    }

    /** Runs the test of {@code context} alone in a forked JVM, one started ahead when there is one. */
    static Outcome run(InBarcoSettings settings, ExtensionContext context, StandbyForks standby)
            throws IOException, InterruptedException {
        return standby.take(settings).run(List.of(context.getUniqueId()), (failure, usage, outcomeFile) -> {
            if (failure != null) {
                return new Outcome(failure, usage);
            }
            return new Outcome(failureOf((Result) read(outcomeFile)), usage);
        });
    }

    /** How a batch ended: each test's result by unique id, or one failure for all (the JVM died). */
    record Batch(Map<String, Result> results, Throwable failure, Optional<ResourceUsage> usage) {
        Outcome outcomeOf(String uniqueId) {
            if (failure != null) {
                return new Outcome(failure, usage);
            }
            Result result = results.get(uniqueId);
            return result == null ? null : new Outcome(failureOf(result), usage);
        }
    }

    /**
     * Runs every test below the given unique ids (classes, say) in one forked JVM.
     *
     * @param moreToCome whether more batches follow this one (a batch per class), which then start
     *     from the class data archive this one writes when there is none yet
     */
    @SuppressWarnings("unchecked")
    static Batch runBatch(InBarcoSettings settings, List<String> uniqueIds, boolean moreToCome) throws IOException, InterruptedException {
        return ForkedJvm.start(settings, true, moreToCome).run(uniqueIds, (failure, usage, outcomeFile) -> failure != null
                ? new Batch(Map.of(), failure, usage)
                : new Batch((Map<String, Result>) read(outcomeFile), null, usage));
    }

    static Throwable failureOf(Result result) {
        return switch (result.status()) {
            case "SUCCESSFUL" -> null;
            case "ABORTED" -> result.throwable() != null ? result.throwable() : new TestAbortedException("aborted in barco container");
            default -> result.throwable() != null ? result.throwable() : new AssertionFailedError("failed in barco container");
        };
    }

    private static Object read(Path file) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, Thread.currentThread().getContextClassLoader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot read the forked test's outcome: " + e.getMessage(), e);
        }
    }
}
