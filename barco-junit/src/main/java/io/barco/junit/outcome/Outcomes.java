package io.barco.junit.outcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a fork reported, as the host keeps it: one object that grows as records are read (never
 * copied per poll), with bounded memory, checked as it comes. Queries are by id, and thread-safe:
 * the host's tests ask while the reader feeds.
 *
 * <p><b>Bounds.</b> At most {@link #MAX_KEPT_IDS} ids and about {@link #MAX_KEPT_BYTES} of heap are
 * kept per fork (a throwable at most {@link OutcomeFile#MAX_KEPT_THROWABLE_BYTES} of it). Past that
 * the host keeps nothing more of the fork's report, says so in one line, and every test whose
 * outcome was not yet decided fails saying it was dropped.
 *
 * <p><b>Checks.</b> A fork runs its tests one at a time ({@code ForkedTestRunner}), so its report is
 * one well-nested sequence: each test or container starts as a direct child of the innermost one
 * running, or is skipped there; it ends as the innermost one running, once; nothing runs at the end
 * record. A record that breaks this means something other than the runner wrote it (a test forging
 * outcomes of others, say): from the first such record on nothing is believed, and every test not
 * yet decided fails saying the report was inconsistent, and why. An outcome is decided only once a
 * record that keeps the report consistent follows it (or the fork ended), so that an outcome a test
 * forges for the next one is not believed before the runner's own next record contradicts it.
 * What a shared JVM cannot guarantee is in docs/security.md.
 */
public final class Outcomes {
    /** Nothing reported (the fork wrote no file); never fed. */
    public static final Outcomes NONE = new Outcomes();

    /** Far above an honest fork's tests and containers (a whole run's), far below a host heap. */
    static final int MAX_KEPT_IDS = 200_000;

    static final long MAX_KEPT_BYTES = 48L << 20;
    /** What one kept id costs beyond its characters: map and set entries, the String and its array. */
    private static final int ENTRY_BYTES = 160;
    /** Deeper than any honest nesting of engines, classes, nested classes and templates. */
    private static final int MAX_DEPTH = 256;

    private record Kept(OutcomeFile.TestOutcome outcome, long seq) {}

    private final Map<String, Kept> outcomes = new LinkedHashMap<>();
    private final NavigableSet<String> startedTests = new TreeSet<>();
    /** The ids running now, innermost last, with whether each is a test and when the host read its start. */
    private final Deque<Running> running = new ArrayDeque<>();

    private ThrowableData fatal;
    private boolean ended;
    private boolean closed;
    private long records;
    /** Records read before the first that was not believed (all of them while none was). */
    private long good = Long.MAX_VALUE;
    /** Why nothing from {@link #good} on is believed: an inconsistency, or the caps. */
    private String stopped;

    private boolean overflowed;
    private long keptBytes;

    /** A test or container running in the fork, with when the host read that it started ({@link System#nanoTime}). */
    public record Running(String id, boolean test, long startedNanos) {}

    // ---- fed by the reader ---------------------------------------------------------------------

    /** The heap a throwable of the next outcome may still take. */
    synchronized long throwableBudget() {
        return stopped != null ? 0 : Math.min(OutcomeFile.MAX_KEPT_THROWABLE_BYTES, MAX_KEPT_BYTES - keptBytes);
    }

    synchronized void started(String id, boolean test, long nanos) {
        long seq = records++;
        if (stopped != null) {
            return;
        }
        if (outcomes.containsKey(id)
                || startedTests.contains(id)
                || running.stream().anyMatch(r -> r.id().equals(id))) {
            stop(seq, id + " was reported started again");
            return;
        }
        String notHere = notAChildOfTheRunning(id);
        if (notHere != null) {
            stop(seq, id + " was reported started " + notHere);
            return;
        }
        if (running.size() >= MAX_DEPTH) {
            stop(seq, id + " was reported started " + MAX_DEPTH + " levels deep");
            return;
        }
        if (test && !keep(id)) {
            return;
        }
        running.addLast(new Running(id, test, nanos));
        if (test) {
            startedTests.add(id);
        }
    }

    /** @param throwableBytes what the outcome's throwable was charged while it was read */
    synchronized void finished(OutcomeFile.TestOutcome outcome, long throwableBytes) {
        long seq = records++;
        if (stopped != null) {
            return;
        }
        String id = outcome.uniqueId();
        if (outcomes.containsKey(id)) {
            stop(
                    seq,
                    id + " was reported ended again (" + outcome.status() + " after "
                            + outcomes.get(id).outcome().status() + ")");
            return;
        }
        Running innermost = running.peekLast();
        if (innermost != null && innermost.id().equals(id)) {
            running.removeLast();
        } else if (startedTests.contains(id) || running.stream().anyMatch(r -> r.id().equals(id))) {
            stop(
                    seq,
                    id + " was reported ended while " + (innermost == null ? "nothing" : innermost.id())
                            + " ran inside it");
            return;
        } else {
            // never started: only a skip, reported where it would have run
            String notHere = notAChildOfTheRunning(id);
            if (notHere != null || outcome.status() != OutcomeFile.Status.ABORTED) {
                stop(
                        seq,
                        id + " was reported " + outcome.status() + " without having started"
                                + (notHere != null ? ", " + notHere : ""));
                return;
            }
        }
        keptBytes += throwableBytes;
        if (keep(id)) {
            outcomes.put(id, new Kept(outcome, seq));
        }
    }

    synchronized void fatal(ThrowableData throwable, long throwableBytes) {
        records++;
        if (stopped == null && fatal == null) {
            fatal = throwable;
            keptBytes += throwableBytes;
        }
    }

    synchronized void end() {
        long seq = records++;
        if (stopped != null) {
            return;
        }
        if (!running.isEmpty()) {
            stop(seq, "the fork reported its end while " + running.peekLast().id() + " still ran");
            return;
        }
        ended = true;
    }

    /** The fork has ended: what was believed so far is decided, the last outcome too. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Null when {@code id} may start or be skipped now: as a root with nothing running, or a direct child of the innermost running. */
    private String notAChildOfTheRunning(String id) {
        int slash = id.lastIndexOf('/');
        Running innermost = running.peekLast();
        if (slash < 0) {
            return innermost == null ? null : "while " + innermost.id() + " ran";
        }
        String parent = id.substring(0, slash);
        if (innermost == null) {
            return "while nothing ran (its container " + parent + " did not)";
        }
        return innermost.id().equals(parent) ? null : "while " + innermost.id() + " ran, not its container " + parent;
    }

    private boolean keep(String id) {
        keptBytes += ENTRY_BYTES + 2L * id.length();
        if (outcomes.size() + startedTests.size() >= MAX_KEPT_IDS || keptBytes > MAX_KEPT_BYTES) {
            overflowed = true;
            stopped = "the forked test JVM reported more than the host keeps of a fork (" + MAX_KEPT_IDS
                    + " tests and containers, or " + (MAX_KEPT_BYTES >> 20) + " MiB), and what came after was dropped";
            good = records - 1;
            System.err.println("[barco] " + stopped + ": a test whose outcome was among it fails saying so");
            return false;
        }
        return true;
    }

    private void stop(long seq, String reason) {
        stopped = "the forked test JVM's report was inconsistent: " + reason
                + "; a test sharing that JVM may have written it, and nothing reported from there on is believed";
        good = seq;
    }

    // ---- read by the host's tests ----------------------------------------------------------------

    /** The outcome reported for {@code id}, once decided: a believed record followed it, or the fork ended. */
    public synchronized OutcomeFile.TestOutcome outcomeOf(String id) {
        Kept kept = outcomes.get(id);
        return kept != null && decided(kept) ? kept.outcome() : null;
    }

    private boolean decided(Kept kept) {
        return kept.seq() + 1 < Math.min(good, records) || closed && kept.seq() < good;
    }

    /** The innermost container above {@code id} whose decided outcome was not success (its @BeforeAll failed, say). */
    public synchronized OutcomeFile.TestOutcome failedContainerAbove(String id) {
        for (int slash = id.lastIndexOf('/'); slash > 0; slash = id.lastIndexOf('/', slash - 1)) {
            OutcomeFile.TestOutcome above = outcomeOf(id.substring(0, slash));
            if (above != null && above.status() != OutcomeFile.Status.SUCCESSFUL) {
                return above;
            }
        }
        return null;
    }

    /** Whether the test {@code id} was reported started. */
    public synchronized boolean started(String id) {
        return startedTests.contains(id);
    }

    /** Whether a test below {@code containerId} was reported started. */
    public synchronized boolean testStartedUnder(String containerId) {
        String below = startedTests.ceiling(containerId + "/");
        return below != null && below.startsWith(containerId + "/");
    }

    /** Whether no test started and nothing ended: the fork ran nothing. */
    public synchronized boolean reportedNothing() {
        return startedTests.isEmpty() && outcomes.isEmpty() && stopped == null;
    }

    /** Whether the fork got to its end record, without a fatal one, and everything it reported was believed. */
    public synchronized boolean complete() {
        return ended && fatal == null && stopped == null;
    }

    public synchronized ThrowableData fatal() {
        return fatal;
    }

    /** Why the rest of the fork's report is not believed (inconsistent, or over the caps); null while all is. */
    public synchronized String stopped() {
        return stopped;
    }

    synchronized boolean overflowed() {
        return overflowed;
    }

    /** The test running now, as the host read its start; empty when none is. */
    public synchronized Optional<Running> runningTest() {
        Running innermost = running.peekLast();
        return innermost != null && innermost.test() && stopped == null ? Optional.of(innermost) : Optional.empty();
    }

    /** The tests reported started, in id order: for tests and diagnostics, a copy. */
    public synchronized List<String> started() {
        return List.copyOf(startedTests);
    }

    /** Every outcome kept, decided or not, in the order reported: for tests and diagnostics, a copy. */
    public synchronized List<OutcomeFile.TestOutcome> outcomes() {
        List<OutcomeFile.TestOutcome> all = new ArrayList<>();
        outcomes.values().forEach(k -> all.add(k.outcome()));
        return all;
    }
}
