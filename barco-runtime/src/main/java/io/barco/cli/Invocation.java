package io.barco.cli;

import io.barco.launch.Container;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Whom one run of the CLI's parser and launch serves: this process (the {@code barco} command:
 * its own environment, directory and stdio, signals forwarded), or a client of the launch service
 * ({@code barco serve}), whose environment, directory and descriptors came with its request and
 * whose container is handed to {@code started} for the client's signals and departure.
 *
 * @param env the environment {@code -e NAME} copies from; null: this process's own
 * @param cwd the directory relative paths are taken from; null: this process's own
 * @param stdio the container's stdin, stdout and stderr where they are inherited; null: this process's own
 */
record Invocation(
        PrintStream out, PrintStream err, Map<String, String> env, Path cwd, int[] stdio, Consumer<Container> started) {
    static Invocation cli(PrintStream out, PrintStream err) {
        return new Invocation(out, err, null, null, null, null);
    }

    boolean served() {
        return started != null;
    }

    Function<String, String> environment() {
        return env == null ? System::getenv : env::get;
    }

    Map<String, String> environmentMap() {
        return env == null ? System.getenv() : env;
    }
}
