package io.barco.testing;

import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.nio.file.Path;

/** What tests ask of the host's processes. */
public final class Processes {
    private Processes() {
    }

    /** Running, as opposed to gone or a zombie that its new parent has yet to reap. */
    public static boolean running(long pid) {
        try {
            String stat = ProcFiles.read(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
