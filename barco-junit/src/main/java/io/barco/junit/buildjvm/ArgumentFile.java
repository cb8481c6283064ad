package io.barco.junit.buildjvm;

import java.util.List;

/**
 * JVM options as a {@code java @file} argument file, so that they are not on the forked JVM's command
 * line: any user of the host can read a process's {@code /proc/PID/cmdline}, and the build's system
 * properties may hold secrets. The launcher reads the file before the JVM starts; the JVM sees the
 * options as if given on its command line. Each option is quoted, with the launcher's escapes: a
 * backslash, a quote and the control characters it knows ({@code \n \r \t \f}); {@code #} is plain
 * text inside quotes.
 */
public final class ArgumentFile {
    private ArgumentFile() {}

    public static String of(List<String> options) {
        StringBuilder file = new StringBuilder();
        for (String option : options) {
            file.append('"');
            for (int i = 0; i < option.length(); i++) {
                char c = option.charAt(i);
                switch (c) {
                    case '\\' -> file.append("\\\\");
                    case '"' -> file.append("\\\"");
                    case '\n' -> file.append("\\n");
                    case '\r' -> file.append("\\r");
                    case '\t' -> file.append("\\t");
                    case '\f' -> file.append("\\f");
                    default -> file.append(c);
                }
            }
            file.append("\"\n");
        }
        return file.toString();
    }
}
