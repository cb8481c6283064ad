package io.barco.plan;

import io.barco.sys.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the planner needs to know about the host; a test passes its own. */
public interface HostFacts {
    /** The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
    int capLastCap();

    boolean isDirectory(Path path);

    /** Whether our stdin is a terminal whose foreground process group is ours, as for a foreground job. */
    boolean inForegroundOfTerminal();

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
        };
    }
}
