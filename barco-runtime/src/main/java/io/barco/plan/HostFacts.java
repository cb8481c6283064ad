package io.barco.plan;

import io.barco.sys.Host;
import io.barco.sys.Terminal;
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
     * The terminal on our stdin, if it is one. A container that shares our stdin gets it as its
     * /dev/console, where ttyname() finds it: its own /dev/pts is a new instance, without the host's.
     */
    default Optional<Terminal.Device> stdinTerminal() {
        return Optional.empty();
    }

    /**
     * The facts of this host, asked of it as the planner needs them; the highest capability number is
     * read once, at the first plan.
     */
    static HostFacts of(Host on) {
        return new HostFacts() {
            private volatile int capLastCap = -1;

            @Override
            public int capLastCap() {
                int last = capLastCap;
                if (last < 0) {
                    try {
                        last = Integer.parseInt(on.read(on.proc().resolve("sys/kernel/cap_last_cap")).trim());
                    } catch (IOException | NumberFormatException e) {
                        last = 40;
                    }
                    capLastCap = last;
                }
                return last;
            }

            @Override
            public boolean isDirectory(Path path) {
                return Files.isDirectory(path);
            }

            @Override
            public boolean inForegroundOfTerminal() {
                return on.inForegroundOfTerminal();
            }

            @Override
            public Optional<Terminal.Device> stdinTerminal() {
                return on.stdinTerminal();
            }
        };
    }
}
