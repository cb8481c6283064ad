package io.barco.cli;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.Setting;
import io.barco.launch.CommandNotExecutableException;
import io.barco.launch.CommandNotFoundException;
import io.barco.launch.Container;
import io.barco.launch.RunningContainer;
import io.barco.spec.ExecSpec;
import io.barco.spec.SpecOptions;
import io.barco.spec.Stdio;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code barco exec NAME [OPTIONS] [--] PROGRAM [ARG...]}: runs a command in the running container
 * named NAME, as {@code docker exec} does. Its options are the main command's {@code -e}, {@code -w},
 * {@code -u} and {@code --gid}, read by the same {@link SpecOptions}, for this command alone: what it
 * does not set is the container's. They may come before NAME too, where docker has them. The first
 * word after NAME that is not an option starts the command, and all that follows is the command's.
 */
@Command(name = "barco exec")
final class ExecCommand {
    static final String USAGE = "barco exec NAME [-e NAME=VALUE] [-w DIR] [-u UID] [--] PROGRAM [ARG...]";

    @Option(
            names = {"-e", "--env"},
            paramLabel = "NAME=VALUE")
    List<String> env = new ArrayList<>();

    @Option(
            names = {"-w", "--workdir"},
            paramLabel = "DIR")
    String workdir;

    @Option(
            names = {"-u", "--uid"},
            paramLabel = "UID")
    String uid;

    @Option(names = "--gid", paramLabel = "GID")
    String gid;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "PROGRAM", parameterConsumer = RestIsTheCommand.class)
    List<String> command = new ArrayList<>();

    /** Takes every word from the program on: {@code barco exec web sh -c 'echo hi'} gives sh its -c. */
    static final class RestIsTheCommand implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(
                Stack<String> args, CommandLine.Model.ArgSpec argSpec, CommandLine.Model.CommandSpec commandSpec) {
            List<String> command = argSpec.getValue();
            while (!args.isEmpty()) {
                command.add(args.pop());
            }
        }
    }

    /** Parses {@code args} (what follows {@code exec}). */
    static ExecCommand parse(String... args) {
        ExecCommand exec = new ExecCommand();
        // an argument such as curl's -d @body.json is the command's, not a file of options to read
        BarcoCommand.parser(exec).parseArgs(args);
        return exec;
    }

    /** The exec these options describe; a bare {@code -e NAME} copies NAME from {@code environment}. */
    ExecSpec spec(Function<String, String> environment) {
        SpecOptions options = SpecOptions.forExec(environment);
        BarcoCommand.set(options, Setting.UID, uid);
        BarcoCommand.set(options, Setting.GID, gid);
        BarcoCommand.set(options, Setting.WORKDIR, workdir);
        env.forEach(e -> options.add(Setting.ENV, e));
        return options.execBuilder(command.get(0))
                .args(command.subList(1, command.size()))
                .stdio(Stdio.INHERIT)
                .build();
    }

    /** Runs {@code barco exec}; {@code argv[0]} is "exec". Bad input is one line, before the container is reached. */
    static int run(String[] argv, PrintStream err) {
        ExecCommand exec;
        ExecSpec spec;
        try {
            exec = parse(List.of(argv).subList(1, argv.length).toArray(String[]::new));
            if (exec.command.isEmpty()) {
                err.println("barco: no command to run in " + exec.name + ": barco exec " + exec.name
                        + " -- PROGRAM [ARG...]");
                return BarcoCommand.EXIT_BARCO_FAILED;
            }
            spec = exec.spec(System::getenv);
        } catch (CommandLine.ParameterException e) {
            err.println(usageProblem(e));
            return BarcoCommand.EXIT_BARCO_FAILED;
        } catch (BarcoException e) {
            err.println(Flags.line(e));
            return BarcoCommand.EXIT_BARCO_FAILED;
        }
        try (RunningContainer container = BarcoRuntime.defaults().attach(exec.name, options -> {
            BarcoCommand recorded = new BarcoCommand(err);
            BarcoCommand.parser(recorded).parseArgs(options.toArray(String[]::new));
            return recorded.spec();
        })) {
            SignalForwarding signals = SignalForwarding.install(System.console() != null);
            Container process = container.start(spec);
            signals.to(process);
            return process.waitFor().code();
        } catch (CommandNotFoundException e) {
            err.println("barco: " + e.getMessage());
            return BarcoCommand.EXIT_NOT_FOUND;
        } catch (CommandNotExecutableException e) {
            err.println("barco: " + e.getMessage());
            return BarcoCommand.EXIT_CANNOT_EXECUTE;
        } catch (BarcoException e) {
            err.println(Flags.line(e));
            return BarcoCommand.EXIT_BARCO_FAILED;
        } catch (CommandLine.ParameterException e) {
            err.println("barco: " + e.getMessage()); // the recorded command line no longer parses
            return BarcoCommand.EXIT_BARCO_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BarcoCommand.EXIT_BARCO_FAILED;
        }
    }

    private static String usageProblem(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            return "barco: unknown option '" + unmatched.getUnmatched().get(0)
                    + "': barco exec takes -e, -w, -u and --gid; "
                    + "the program's own options go after the program (see barco --help)";
        }
        if (e instanceof CommandLine.MissingParameterException missing
                && missing.getMissing().stream()
                        .anyMatch(arg -> arg instanceof CommandLine.Model.PositionalParamSpec)) {
            return "barco: usage: " + USAGE + " (see barco --help)";
        }
        return "barco: " + e.getMessage() + " (see barco --help)";
    }
}
