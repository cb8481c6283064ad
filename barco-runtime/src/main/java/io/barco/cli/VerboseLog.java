package io.barco.cli;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The seed's log lines: {@code 22:08:41 INFO  barco: message}, on stderr, only when verbose. */
final class VerboseLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;
    private final int level;

    VerboseLog(PrintStream out, int level) {
        this.out = out;
        this.level = level;
    }

    void info(String message) {
        if (level >= 1) {
            out.println(LocalTime.now().format(TIME) + " INFO  barco: " + message);
        }
    }

    void debug(String message) {
        if (level >= 2) {
            out.println(LocalTime.now().format(TIME) + " DEBUG barco: " + message);
        }
    }
}
