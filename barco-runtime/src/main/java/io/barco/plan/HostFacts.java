package io.barco.plan;

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
        };
    }
}
