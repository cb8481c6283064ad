package io.barco.launch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** What a finished container left: how it ended, its captured output and how long it ran. */
public record ContainerResult(ExitStatus status, byte[] stdoutBytes, byte[] stderrBytes, Duration wallTime,
        boolean timedOut, io.barco.cgroup.ResourceUsage usage) {

    /** Whether the OOM killer killed a task of the container; its first process then died by SIGKILL (137). */
    public boolean oomKilled() {
        return usage.oomKilled();
    }

    public String stdout() {
        return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    public String stderr() {
        return new String(stderrBytes, StandardCharsets.UTF_8);
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
        return "ContainerResult[" + status + (timedOut ? ", timed out" : "") + (oomKilled() ? ", OOM-killed" : "") + ", "
                + wallTime.toMillis() + " ms]";
    }
}
