package io.barco.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What the planner needs to know about the host; a test passes its own. */
public interface HostFacts {
    /** The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
    int capLastCap();

    boolean isDirectory(Path path);

    /** Whether our stdin is a terminal whose foreground process group is ours, as for a foreground job. */
    boolean inForegroundOfTerminal();

    /**
     * The terminal on our stdin, if it is one: the path it has here and its device number. A container
     * that shares our stdin gets the same device as its /dev/console, so that ttyname() finds it there:
     * its own /dev/pts is a new instance, without the host's terminals.
     */
    default Optional<TerminalDevice> stdinTerminal() {
        return Optional.empty();
    }

    /** A terminal's path on this host and its device number (st_rdev). */
    record TerminalDevice(Path path, long rdev) {
    }

    static HostFacts current() {
        int last;
        try {
            last = Integer.parseInt(io.barco.sys.ProcFiles.read(Path.of("/proc/sys/kernel/cap_last_cap")).trim());
        } catch (IOException | NumberFormatException e) {
            last = 40;
        }
        int capLastCap = last;
        return new HostFacts() {
            @Override
            public int capLastCap() {
                return capLastCap;
            }

            @Override
            public boolean isDirectory(Path path) {
                return Files.isDirectory(path);
            }

            @Override
            public boolean inForegroundOfTerminal() {
                return io.barco.sys.Terminal.inForeground();
            }

            @Override
            public Optional<TerminalDevice> stdinTerminal() {
                if (io.barco.sys.LibC.INSTANCE.isatty(0) != 1) {
                    return Optional.empty();
                }
                try {
                    Path path = Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
                    return Optional.of(new TerminalDevice(path, (Long) Files.getAttribute(path, "unix:rdev")));
                } catch (IOException | RuntimeException e) {
                    return Optional.empty(); // a terminal with no path here (another mount namespace's): no console
                }
            }
        };
    }
}
