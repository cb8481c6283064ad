package io.barco.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The line for a command line picocli cannot parse. The common mistake is giving the program's own
 * options to barco ({@code -c /bin/sh -c 'echo hi'}, {@code -c ls -la /}): picocli then sees a
 * second {@code -c} or an unknown option, so the line says where the program's arguments go.
 */
final class UsageProblem {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private UsageProblem() {
    }

    static String line(CommandLine.ParameterException e, String[] args) {
        int command = indexOfCommand(args, 0);
        if (e instanceof CommandLine.OverwrittenOptionException overwritten && command >= 0
                && overwritten.getOverwritten() instanceof CommandLine.Model.OptionSpec option && option.longestName().equals("--cmd")) {
            int second = indexOfCommand(args, command + 2);
            if (second > 0) {
                return "barco: -c names the program once; its own arguments go after --, as in " + moved(args, second);
            }
        }
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            int at = List.of(args).indexOf(first);
            if (first.startsWith("-") && command >= 0 && at > command + 1) {
                return "barco: unknown option '" + first + "'; the program's own arguments go after --, as in " + moved(args, at);
            }
            if (first.startsWith("-")) {
                return "barco: unknown option '" + first + "' (see barco --help)";
            }
        }
        return "barco: " + e.getMessage() + " (see barco --help)";
    }

    private static int indexOfCommand(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--")) {
                return -1;
            }
            if (args[i].equals("-c") || args[i].equals("--cmd")) {
                return i;
            }
        }
        return -1;
    }

    /** The command line with -- before args[at]: what the user meant. */
    private static String moved(String[] args, int at) {
        List<String> words = new ArrayList<>(List.of("barco"));
        for (int i = 0; i < args.length; i++) {
            if (i == at) {
                words.add("--");
            }
            words.add(quoted(args[i]));
        }
        return String.join(" ", words);
    }

    private static String quoted(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
