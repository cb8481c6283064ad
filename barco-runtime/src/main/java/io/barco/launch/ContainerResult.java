package io.barco.launch;

import io.barco.cgroup.ResourceUsage;
import io.barco.output.CapturedOutput;
import java.time.Duration;

/**
 * What a finished container left: how it ended, its captured output and how long it ran.
 * Output is kept within {@link io.barco.output.OutputLimits}: {@link #stdout()} and
 * {@link #stderr()} are the text kept, with a marker line where bytes were dropped;
 * {@link #outputTruncated()} says whether any were, and {@link #stdoutCapture()} how many and where
 * the spill file is.
 */
public record ContainerResult(
        ExitStatus status,
        CapturedOutput stdoutCapture,
        CapturedOutput stderrCapture,
        Duration wallTime,
        boolean timedOut,
        ResourceUsage usage) {

    /** A result whose output was collected whole by the caller. */
    public ContainerResult(
            ExitStatus status,
            byte[] stdoutBytes,
            byte[] stderrBytes,
            Duration wallTime,
            boolean timedOut,
            ResourceUsage usage) {
        this(status, CapturedOutput.whole(stdoutBytes), CapturedOutput.whole(stderrBytes), wallTime, timedOut, usage);
    }

    /** Whether the OOM killer killed a task of the container; its first process then died by SIGKILL (137). */
    public boolean oomKilled() {
        return usage.oomKilled();
    }

    /** The stdout kept: all of it, or its head, a marker line naming the bytes dropped, and its tail. */
    public String stdout() {
        return stdoutCapture.text();
    }

    /** The stderr kept, as {@link #stdout()}. */
    public String stderr() {
        return stderrCapture.text();
    }

    /** The stdout bytes kept, with the marker line where bytes were dropped. */
    public byte[] stdoutBytes() {
        return stdoutCapture.bytes();
    }

    public byte[] stderrBytes() {
        return stderrCapture.bytes();
    }

    /** Whether bytes of stdout or stderr were dropped to stay within the output limits. */
    public boolean outputTruncated() {
        return stdoutCapture.truncated() || stderrCapture.truncated();
    }

    /** The exit code, or 128 + signal. */
    public int exitCode() {
        return status.code();
    }

    public boolean succeeded() {
        return status.succeeded() && !timedOut;
    }

    @Override
    public String toString() {
        return "ContainerResult[" + status + (timedOut ? ", timed out" : "") + (oomKilled() ? ", OOM-killed" : "")
                + ", "
                + wallTime.toMillis() + " ms"
                + (stdoutCapture.truncated() ? ", stdout " + stdoutCapture.droppedBytes() + " bytes dropped" : "")
                + (stderrCapture.truncated() ? ", stderr " + stderrCapture.droppedBytes() + " bytes dropped" : "")
                + "]";
    }
}
