package io.barco.testing;

import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What tests ask of the host's processes. */
public final class Processes {
    private Processes() {}

    /** Running, as opposed to gone or a zombie that its new parent has yet to reap. */
    public static boolean running(long pid) {
        try {
            String stat = ProcFiles.read(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts {@code builder}'s process and returns its stdout once it closes; the process is then
     * given {@code seconds} to exit, and killed if it has not.
     */
    public static Finished run(ProcessBuilder builder, long seconds) throws IOException, InterruptedException {
        Process p = builder.start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        return new Finished(out, p.exitValue());
    }

    /** A process's stdout and exit status. */
    public record Finished(String stdout, int status) {}
}
