package io.barco.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The calling process's controlling terminal on stdin. */
public final class Terminal {
    private static final int SIG_BLOCK = 0;
    private static final int SIG_SETMASK = 2;
    private static final int SIGTTOU = 22;
    private static final int SIGSET_SIZE = 128;

    private Terminal() {}

    /** A terminal: its path on this host and its device number (st_rdev). */
    public record Device(Path path, long rdev) {}

    /** The terminal on stdin, if stdin is one with a path in this mount namespace. */
    public static Optional<Device> onStdin() {
        if (LibC.INSTANCE.isatty(0) != 1) {
            return Optional.empty();
        }
        try {
            Path path = Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
            return Optional.of(new Device(path, (Long) Files.getAttribute(path, "unix:rdev")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a pty of another mount namespace's devpts: no path to give
        }
    }

    /** Whether stdin is a terminal whose foreground process group is ours, as for a foreground job. */
    public static boolean inForeground() {
        LibC c = LibC.INSTANCE;
        return c.isatty(0) == 1 && c.tcgetpgrp(0) == c.getpgrp();
    }

    /**
     * Makes our process group the terminal's foreground again, as a shell does when its foreground job
     * ends; otherwise the JVM would be stopped by SIGTTIN the next time it read the terminal. We are a
     * background group until this succeeds, so SIGTTOU is blocked in this thread meanwhile.
     */
    public static void takeForegroundBack() {
        LibC c = LibC.INSTANCE;
        Memory block = new Memory(SIGSET_SIZE);
        Memory old = new Memory(SIGSET_SIZE);
        c.sigemptyset(block);
        c.sigaddset(block, SIGTTOU);
        c.pthread_sigmask(SIG_BLOCK, block, old);
        try {
            c.tcsetpgrp(0, c.getpgrp());
        } catch (LastErrorException e) {
            // no terminal any more (the session ended): nothing to take back
        } finally {
            c.pthread_sigmask(SIG_SETMASK, old, null);
        }
    }
}
