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

    private UsageProblem() {}

    static String line(CommandLine.ParameterException e, String[] args) {
        int command = indexOfCommand(args, 0);
        if (e instanceof CommandLine.OverwrittenOptionException overwritten
                && command >= 0
                && overwritten.getOverwritten() instanceof CommandLine.Model.OptionSpec option
                && option.longestName().equals("--cmd")) {
            int second = indexOfCommand(args, command + 2);
            if (second > 0) {
                return "barco: -c names the program once; its own arguments go after --, as in " + moved(args, second);
            }
        }
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            int at = List.of(args).indexOf(first);
            if (first.startsWith("-") && command >= 0 && at > command + 1) {
                return "barco: unknown option '" + first + "'; the program's own arguments go after --, as in "
                        + moved(args, at);
            }
            if (first.startsWith("-")) {
                String meant = closestOption(e.getCommandLine(), first);
                return "barco: unknown option '" + first + "'" + (meant != null ? "; did you mean " + meant + "?" : "")
                        + " (see barco --help)";
            }
        }
        if (e instanceof CommandLine.MissingParameterException && args.length > 0 && !args[0].startsWith("-")) {
            return wordForAProgram(args);
        }
        return "barco: " + e.getMessage() + " (see barco --help)";
    }

    /**
     * The line for a word where barco expects its options, and no program: docker's {@code barco ps},
     * or the program without -c; null when the command line starts with an option.
     */
    static String wordForAProgram(String[] args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            return null;
        }
        String word = args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        String meant = "barco -c " + quoted(word)
                + (rest.length > 0
                        ? " -- "
                                + String.join(
                                        " ",
                                        List.of(rest).stream()
                                                .map(UsageProblem::quoted)
                                                .toList())
                        : "");
        if (word.contains("/")) {
            return "barco: give the program with -c and its arguments after --: " + meant;
        }
        return "barco: '" + word
                + "' is not a barco command (barco's are exec, images, pull, rmi and gc); to run a program of that name: "
                + meant;
    }

    /** The option whose name is nearest to {@code typed}, within two edits (picocli's --memroy for --memory), or null. */
    private static String closestOption(CommandLine cli, String typed) {
        String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
        String best = null;
        int bestDistance = 3;
        for (CommandLine.Model.OptionSpec option : cli.getCommandSpec().options()) {
            for (String candidate : option.names()) {
                int d = distance(name, candidate);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = candidate;
                }
            }
        }
        return best;
    }

    /** Levenshtein distance, with a swap of two neighbours counting once (Damerau's). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
