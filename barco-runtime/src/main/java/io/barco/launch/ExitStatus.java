package io.barco.launch;

/**
 * How a container's first process ended: an exit code, or death by a signal. {@link #code()} folds
 * both into the shell's convention (128 + signal).
 */
public record ExitStatus(int exitCode, int signal) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(-1, signal);
    }

    /** Decodes a wait status as waitpid(2) returns it. */
    static ExitStatus fromWaitStatus(int status) {
        int termSignal = status & 0x7f;
        return termSignal == 0 ? exited((status >> 8) & 0xff) : killed(termSignal);
    }

    public boolean killedBySignal() {
        return signal != 0;
    }

    public boolean succeeded() {
        return signal == 0 && exitCode == 0;
    }

    /** The exit code, or 128 + the signal number. */
    public int code() {
        return killedBySignal() ? 128 + signal : exitCode;
    }

    @Override
    public String toString() {
        return killedBySignal() ? "killed by signal " + signal : "exited with " + exitCode;
    }
}
