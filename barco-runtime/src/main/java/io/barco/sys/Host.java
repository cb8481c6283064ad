package io.barco.sys;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the runtime asks of the machine it runs on: the C library calls it makes, the files of
 * /proc and of the cgroup filesystem, and the clock. {@link LinuxHost} is the machine itself; a
 * unit test passes a fake that records the calls and serves a temporary directory as /proc and as
 * cgroupfs, so the cgroup drivers, the launcher and preflight run without root and without a
 * container. The cgroup hierarchies are wherever {@code proc()/self/mountinfo} says they are mounted.
 *
 * <p>A failed C call throws {@link com.sun.jna.LastErrorException} carrying errno, as {@link LibC}
 * does; a failed file operation throws the {@link IOException} the JDK gives for it.
 */
public interface Host {
    /** How a spawned process gets its descriptor {@code target}: a copy of {@code source}, or /dev/null for -1. */
    record Redirect(int target, int source) {
        public static final int DEV_NULL = -1;
    }

    /** pipe2 with O_CLOEXEC on both ends: {@code [read, write]}. */
    int[] pipe();

    /** An anonymous in-memory file holding {@code data}, positioned at its start (memfd_create). */
    int memfd(String name, byte[] data);

    /** What {@link #readUntil} read, and whether it reached end of file. */
    record BoundedRead(byte[] data, boolean complete) {}

    /**
     * Reads the descriptor until end of file, retrying on EINTR, but stops (incomplete) once more
     * than {@code maxBytes} arrived or the monotonic clock ({@link #nanoTime}) passes {@code deadline}:
     * what a process that may stall or flood writes is never waited for nor kept without a bound.
     */
    BoundedRead readUntil(int fd, int maxBytes, long deadline);

    /** Closes the descriptor; best effort, as on every cleanup path: the descriptor is gone either way. */
    void close(int fd);

    /** A stream reading the descriptor, which it owns from now on. */
    InputStream input(int fd);

    /** A stream writing the descriptor, which it owns from now on. */
    OutputStream output(int fd);

    /**
     * Starts {@code program}, named {@code argv0}, with posix_spawn: no arguments, no environment,
     * default signal dispositions, no blocked signal, the redirects applied, every descriptor from
     * {@code closeFrom} on closed. Returns its pid.
     */
    int spawn(Path program, String argv0, List<Redirect> redirects, int closeFrom);

    /** waitpid for one of our children, retried on EINTR: the raw wait status. */
    int waitpid(int pid);

    /**
     * Whether {@code pid} is a child of this process not yet reaped (waitid with WNOWAIT, which reaps
     * nothing). Until we reap it the pid cannot name another process: a pid that something else
     * reported is signalled only once this says it is ours.
     */
    boolean isOwnChild(int pid);

    void kill(int pid, int signal);

    int pidfdOpen(int pid);

    void pidfdSendSignal(int pidfd, int signal);

    /** setns(2) for the calling thread: join the namespaces {@code nstype} of {@code fd} (a pidfd or a namespace file). */
    void setns(int fd, int nstype);

    int geteuid();

    /** Whether stdin is a terminal whose foreground process group is ours, as for a foreground job. */
    boolean inForegroundOfTerminal();

    /** The terminal on our stdin, if it is one and has a path here (a pty of this mount namespace's devpts). */
    Optional<Terminal.Device> stdinTerminal();

    /** Makes our process group the terminal's foreground again, as a shell does when its job ends. */
    void takeForegroundBack();

    /** Where procfs is: /proc. */
    Path proc();

    /** The whole of a file of /proc, /sys or cgroupfs, read to its end (they misreport their sizes). */
    String read(Path file) throws IOException;

    /** Writes one value to an existing file in one write, as cgroupfs control files take them. */
    void write(Path file, String value) throws IOException;

    /** Makes one directory; in cgroupfs, a group, which the kernel fills with its control files. */
    void mkdir(Path dir) throws IOException;

    /** Removes one directory; in cgroupfs, a group, which the kernel refuses while tasks remain in it. */
    void rmdir(Path dir) throws IOException;

    /** The kernel's name and release, as {@code os.name} and {@code os.version} give them: "Linux", "6.1.0-13-amd64". */
    String osName();

    String osVersion();

    /** A monotonic clock in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();
}
