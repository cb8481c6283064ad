package io.barco.cli;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.Setting;
import io.barco.cgroup.ResourceUsage;
import io.barco.image.ImageException;
import io.barco.image.ImageStore;
import io.barco.launch.CommandNotExecutableException;
import io.barco.launch.CommandNotFoundException;
import io.barco.launch.Container;
import io.barco.launch.ExitStatus;
import io.barco.launch.LaunchObserver;
import io.barco.launch.NamedContainers;
import io.barco.launch.RunningContainer;
import io.barco.plan.LaunchPlan;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Durations;
import io.barco.spec.ExecSpec;
import io.barco.spec.ImageRoot;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Size;
import io.barco.spec.SpecOptions;
import io.barco.spec.Stdio;
import io.barco.sys.OwnedTempDirectories;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code barco} command line, with the seed's interface: {@code barco -u 0 -m / -c /bin/sh -a . -v}.
 * The options are text for {@link SpecOptions}, which every front end shares, with the seed's limits as
 * defaults; a failure is one line, with the flag that fixes it. Exit status: the container's own,
 * 128+N when it died by signal N, 125 when barco itself failed (bad input included), 126 when the
 * command cannot be executed, 127 when it does not exist.
 */
@Command(
        name = "barco",
        mixinStandardHelpOptions = true,
        versionProvider = BarcoCommand.Version.class,
        defaultValueProvider = Flags.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        customSynopsis = {
            "barco [OPTIONS] -c PROGRAM [-- ARG...]",
            "       barco [OPTIONS] --image IMAGE [-c PROGRAM] [-- ARG...]",
            "       " + ExecCommand.USAGE,
            "       barco images | barco pull IMAGE | barco rmi IMAGE | barco gc"
        },
        description = {
            "Runs a command in a new Linux container: its own user, mount, PID, UTS, IPC, network and "
                    + "cgroup namespaces, a read-only root, dropped capabilities and a seccomp filter.",
            "barco exec runs a command in a running container started with --name, as docker exec does; its -e, -w, -u "
                    + "and --gid are that command's own (default: the container's).",
            "barco images lists the images in barco's cache, barco pull IMAGE unpacks one into it (a launch does too), "
                    + "barco rmi IMAGE removes one and the layers no other has.",
            "barco gc removes what launchers that died left: their cgroups and temp directories, and unused image layers."
        },
        footer = {
            "",
            "Examples:",
            "  barco -u 0 -m / -c /bin/sh -a .     an interactive shell in a container",
            "  barco -c /bin/sh -- -c 'echo hi'    the program's arguments go after --",
            "  barco --memory 64M --stats -c /usr/bin/make -- test",
            "                                      under a 64M memory limit; print usage",
            "  barco --name web -c python3 -- -m http.server",
            "                                      a container named web ...",
            "  barco exec web -- curl -s 127.0.0.1:8000",
            "                                      ... and a command run in it",
            "  barco exec web -u 1000 -w /tmp -e LANG=C.UTF-8 -- ls -l",
            "                                      ... as uid 1000, in /tmp, with LANG set",
            "  barco --image oci:/srv/layout:1 -c /bin/sh -- -c 'cat /etc/os-release'",
            "                                      a command in an image's root",
            "  barco gc                            remove what dead launchers left",
            "",
            "Exit status:",
            "  N      the program's own; 128+N if it died by signal N",
            "  125    barco failed: bad input, a host that cannot run containers,",
            "         or a failed launch step (one line on stderr says which)",
            "  126    the program cannot be executed",
            "  123    the image cannot be used: a bad reference, a missing, corrupt",
            "         or refused image (one line on stderr says which)",
            "  127    the program does not exist"
        })
public final class BarcoCommand implements Callable<Integer> {
    public static final int EXIT_BARCO_FAILED = 125;
    public static final int EXIT_CANNOT_EXECUTE = 126;
    public static final int EXIT_NOT_FOUND = 127;
    /** The image cannot be used: a bad reference, a missing or corrupt image, a refused layer. */
    public static final int EXIT_IMAGE_FAILED = 123;

    @Option(
            names = {"-u", "--uid"},
            paramLabel = "UID",
            description = "uid and gid inside the container (default: ${DEFAULT-VALUE})")
    String uid;

    @Option(names = "--gid", paramLabel = "GID", description = "gid inside the container (default: the uid)")
    String gid;

    @Option(
            names = {"-m", "--mnt"},
            paramLabel = "DIR",
            description = "root filesystem of the container (default: ${DEFAULT-VALUE})")
    String rootfs;

    @Option(
            names = "--image",
            paramLabel = "IMAGE",
            description = "the root is this image's layers: oci:DIR[:TAG] (an OCI layout), oci-archive:FILE[:TAG], "
                    + "docker-archive:FILE, HOST[:PORT]/NAME[:TAG] (pulled from a registry), or a cached image's id "
                    + "(barco images); read-only unless --rw; its Env, "
                    + "WorkingDir and User are defaults, its Entrypoint and Cmd the program when -c is not given")
    String image;

    @Option(
            names = {"-c", "--cmd"},
            paramLabel = "PROGRAM",
            description = "program to run; searched on PATH when it has no slash (required but with --image)")
    String command;

    @Option(
            names = {"-a", "--arg"},
            paramLabel = "NAME",
            description = "the name the program sees as argv[0] (default: PROGRAM)")
    String argv0;

    @Option(
            names = {"-v", "--verbosity"},
            description = "log what barco does; twice to log every launch step")
    boolean[] verbosity = new boolean[0];

    @Option(names = "--hostname", paramLabel = "NAME", description = "hostname (default: ${DEFAULT-VALUE})")
    String hostname;

    @Option(
            names = "--rw",
            description = "a writable root that is thrown away: an overlay on the rootfs (the host's / too) "
                    + "whose writes vanish with the container; the rootfs never changes (default: read-only)")
    boolean readWrite;

    @Option(
            names = "--rw-size",
            paramLabel = "SIZE",
            description = "the most a --rw root holds of what the container writes, "
                    + "in memory (default: ${DEFAULT-VALUE}); beyond it a write fails with ENOSPC")
    String readWriteSize;

    @Option(
            names = "--rw-host-root",
            description = "DANGEROUS: mount the rootfs itself read-write: with the default rootfs /, "
                    + "the container changes the host's own files (as host uid 10000 and up)")
    boolean readWriteHostRoot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(
            names = "--bind",
            paramLabel = "SRC:DST[:MODE]",
            description = {
                "bind a host path into the container; MODE: rw "
                        + "(default), ro, overlay (writable, the writes vanish with the container, SRC never changes), ro,idmap or rw,idmap "
                        + "(the files of SRC's owner are the container user's: /root/.m2 that container root may read); a mount inside "
                        + "another comes after it"
            })
    List<String> binds = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "DST", description = "mount a fresh tmpfs at DST")
    List<String> tmpfs = new ArrayList<>();

    @Option(
            names = {"-e", "--env"},
            paramLabel = "NAME=VALUE",
            description = "set an environment variable (NAME alone copies barco's)")
    List<String> env = new ArrayList<>();

    @Option(
            names = {"-w", "--workdir"},
            paramLabel = "DIR",
            description = "working directory (default: ${DEFAULT-VALUE})")
    String workdir;

    @Option(
            names = "--network",
            paramLabel = "none|host",
            description = "none: private, loopback only (default); host: share the host's")
    String network;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "kill the container after this long (30, 500ms, 10s, 2m)")
    String timeout;

    @Option(names = "--cap-add", paramLabel = "CAP", description = "keep a capability the default drops (ALL for all)")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "drop a capability the default keeps (ALL for all)")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--seccomp-deny", paramLabel = "SYSCALL", description = "also refuse these system calls with EPERM")
    List<String> seccompDeny = new ArrayList<>();

    @Option(names = "--no-seccomp", description = "load no seccomp filter (no_new_privs stays set)")
    boolean noSeccomp;

    @Option(
            names = "--id-map",
            paramLabel = "INSIDE:OUTSIDE:COUNT",
            description = "user namespace mapping for uids and gids (default: ${DEFAULT-VALUE})")
    String idMap;

    @Option(
            names = "--memory",
            paramLabel = "SIZE",
            description = "memory limit, e.g. 512M, 1G, or max (default: ${DEFAULT-VALUE}, the seed's)")
    String memory;

    @Option(
            names = "--memory-swap",
            paramLabel = "SIZE",
            description = "memory plus swap limit (default: the memory limit: no swap)")
    String memorySwap;

    @Option(
            names = "--cpu-weight",
            paramLabel = "1..10000",
            description = "relative CPU weight, or max to leave the default (default: ${DEFAULT-VALUE}, the seed's)")
    String cpuWeight;

    @Option(
            names = "--cpus",
            paramLabel = "N",
            description = "CPU time in cores, e.g. 1.5 = 150 ms per 100 ms (default: no limit)")
    String cpus;

    @Option(
            names = "--pids",
            paramLabel = "N",
            description = "most tasks at once, or max (default: ${DEFAULT-VALUE}, the seed's)")
    String pids;

    @Option(
            names = "--allow-missing-controllers",
            description = "run without a limit this host cannot enforce instead of failing")
    boolean allowMissingControllers;

    @Option(names = "--stats", description = "print the container's resource usage when it ends")
    boolean stats;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "name the container, so that barco exec NAME -- CMD runs commands in it while it runs")
    String name;

    @Parameters(paramLabel = "ARG", description = "arguments for the program, after --")
    List<String> args = new ArrayList<>();

    /*
     * Where and with what environment a named container's options were given: barco exec reads
     * them again in another process, which must take relative paths and -e NAME as they were taken.
     */
    @Option(names = "--origin-dir", hidden = true)
    Path originDir;

    @Option(names = "--origin-env", hidden = true)
    List<String> originEnv = new ArrayList<>();

    private final PrintStream err;
    private final Invocation invocation;
    /** The command line as given, which a named container records for barco exec to derive the same spec. */
    private List<String> commandLine = List.of();

    BarcoCommand(PrintStream err) {
        this(Invocation.cli(System.out, err));
    }

    BarcoCommand(Invocation invocation) {
        this.err = invocation.err();
        this.invocation = invocation;
    }

    /** The spec these options describe. */
    ContainerSpec spec() {
        Function<String, String> environment = originDir == null ? invocation.environment() : recordedEnvironment();
        SpecOptions options = SpecOptions.of(SpecOptions.Defaults.SEED, environment);
        if (originDir != null) {
            options.relativeTo(originDir);
        } else if (invocation.cwd() != null) {
            options.relativeTo(invocation.cwd());
        }
        Path base = originDir != null
                ? originDir
                : invocation.cwd() != null ? invocation.cwd() : Path.of("").toAbsolutePath();
        options.images(reference -> ImageStore.defaults().resolve(reference, base));
        set(options, Setting.IMAGE, image);
        // the defaults --help shows are the spec's own: only a flag given overrides an image's User and WorkingDir
        set(options, Setting.UID, given("-u") ? uid : null);
        set(options, Setting.GID, gid);
        set(options, Setting.ID_MAP, idMap);
        set(options, Setting.ROOTFS, given("-m") ? rootfs : null);
        set(options, Setting.HOSTNAME, hostname);
        set(options, Setting.WORKDIR, given("-w") ? workdir : null);
        set(options, Setting.NETWORK, network);
        set(options, Setting.TIMEOUT, timeout);
        set(options, Setting.MEMORY, memory);
        set(options, Setting.MEMORY_SWAP, memorySwap);
        set(options, Setting.CPU_WEIGHT, cpuWeight);
        set(options, Setting.CPUS, cpus);
        set(options, Setting.PIDS, pids);
        checkWritableRoot();
        options.set(Setting.WRITABLE_ROOT, Boolean.toString(readWrite));
        options.set(Setting.WRITE_THROUGH_ROOT, Boolean.toString(readWriteHostRoot));
        set(options, Setting.WRITABLE_ROOT_SIZE, readWriteSize);
        options.set(Setting.NO_SECCOMP, Boolean.toString(noSeccomp));
        options.set(Setting.ALLOW_MISSING_CONTROLLERS, Boolean.toString(allowMissingControllers));
        String term = environment.apply("TERM");
        if (term != null) {
            options.add(Setting.ENV, "TERM=" + term); // an interactive shell needs to know its terminal
        }
        env.forEach(e -> options.add(Setting.ENV, e));
        binds.forEach(b -> options.add(Setting.BINDS, b));
        tmpfs.forEach(t -> options.add(Setting.TMPFS, t));
        capDrop.forEach(c ->
                options.add(Setting.CAP_DROP, c)); // drops first, as Docker: --cap-drop ALL --cap-add KILL keeps KILL
        capAdd.forEach(c -> options.add(Setting.CAP_ADD, c));
        seccompDeny.forEach(c -> options.add(Setting.SECCOMP_DENY, c));
        List<String> argv = new ArrayList<>(args);
        String program = command;
        if (program == null) {
            // as docker run: the image's Entrypoint, then the arguments given or else its Cmd
            if (options.imageReference().isEmpty()) {
                String word = UsageProblem.wordForAProgram(commandLine.toArray(String[]::new));
                if (word != null) {
                    throw new InvalidSpecException(word.substring("barco: ".length()));
                }
                throw new InvalidSpecException(
                        "no program given: name it with -c PROGRAM, e.g. -c /bin/sh", Setting.COMMAND);
            }
            ImageRoot root = options.image().orElseThrow();
            argv = new ArrayList<>(root.entrypoint());
            argv.addAll(args.isEmpty() ? root.cmd() : args);
            if (argv.isEmpty()) {
                throw new InvalidSpecException("image " + root.reference()
                        + " has no Entrypoint or Cmd to run: name the program with -c PROGRAM");
            }
            program = argv.remove(0);
        }
        return options.builder(program)
                .argv0(argv0)
                .args(argv)
                .stdio(Stdio.INHERIT)
                .build();
    }

    /** Whether the flag was on the command line, rather than its default. */
    private boolean given(String flag) {
        return commandSpec == null
                || commandSpec.commandLine().getParseResult() == null
                || commandSpec.commandLine().getParseResult().hasMatchedOption(flag);
    }

    /** The variables recorded with a named container's options; any other was unset. */
    private Function<String, String> recordedEnvironment() {
        Map<String, String> recorded = new HashMap<>();
        for (String entry : originEnv) {
            int eq = entry.indexOf('=');
            recorded.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return recorded::get;
    }

    /**
     * The options as a named container records them: as given, after where they were given and the
     * values of the variables they take from the environment (TERM, -e NAME), so that barco exec,
     * reading them again elsewhere, derives the same spec.
     */
    private List<String> recordedCommandLine() {
        List<String> recorded = new ArrayList<>(
                List.of("--origin-dir", Path.of("").toAbsolutePath().toString()));
        List<String> names = new ArrayList<>(List.of("TERM"));
        env.stream().filter(e -> !e.contains("=")).forEach(names::add);
        for (String variable : names) {
            String value = invocation.environment().apply(variable);
            if (value != null) {
                recorded.addAll(List.of("--origin-env", variable + "=" + value));
            }
        }
        recorded.addAll(commandLine);
        return recorded;
    }

    /** Flags that contradict each other, which only the command line can give together, said as flags. */
    private void checkWritableRoot() {
        if (readWrite && readWriteHostRoot) {
            throw new InvalidSpecException(
                    "--rw and --rw-host-root exclude each other: --rw writes to a throwaway overlay, "
                            + "--rw-host-root to the rootfs itself; give one of them");
        }
        boolean sized = commandSpec != null
                && commandSpec.commandLine().getParseResult() != null
                && commandSpec.commandLine().getParseResult().hasMatchedOption("--rw-size");
        if (sized && !readWrite) {
            throw new InvalidSpecException("--rw-size limits the overlay of --rw"
                    + (readWriteHostRoot ? ", not --rw-host-root" : "") + ": add --rw, or drop --rw-size");
        }
    }

    static void set(SpecOptions options, Setting setting, String value) {
        if (value != null) {
            options.set(setting, value);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        VerboseLog log = new VerboseLog(err, verbosity.length);
        ContainerSpec spec = spec();
        log.info("container: " + spec);
        log.info("compiling the seccomp profile...");
        LaunchObserver observer = new LaunchObserver() {
            @Override
            public void cgroupCreated(String driver, String path, List<String> settings) {
                log.info("initializing cgroups with " + driver + "...");
                for (String group : path.split(", ")) {
                    log.info("creating cgroup " + group + "...");
                }
                settings.forEach(setting -> log.info("setting " + setting + "..."));
            }

            @Override
            public void planned(LaunchPlan plan) {
                log.info("launch plan has " + plan.steps().size() + " steps");
                for (int i = 0; i < plan.steps().size(); i++) {
                    log.debug(String.format("step %2d: %s", i, plan.step(i).description()));
                }
                log.info(
                        "starting the native helper: namespaces, id maps, cgroups, mounts, pivot_root, capabilities, seccomp...");
                log.info("### BARCONTAINER STARTING - type 'exit' to quit ###");
            }
        };
        if (invocation.served()) {
            if (name != null) {
                throw new InvalidSpecException("--name is not served by barco serve: run barco --name ... itself");
            }
            return run(spec, observer, invocation.started(), log);
        }
        SignalForwarding signals = SignalForwarding.install(spec.stdin() == Stdio.INHERIT && System.console() != null);
        if (name != null) {
            return runNamed(spec, observer, signals, log);
        }
        return run(spec, observer, signals::to, log);
    }

    /** Launches, tells {@code started} of the container, waits for it and returns its status. */
    private int run(
            ContainerSpec spec, LaunchObserver observer, java.util.function.Consumer<Container> started, VerboseLog log)
            throws InterruptedException {
        ExitStatus status;
        try (Container container = BarcoRuntime.defaults().launch(spec, observer, invocation.stdio())) {
            started.accept(container);
            // after the banner the container owns the terminal: only -vv interleaves with it
            log.debug("container runs as host pid " + container.pid());
            status = container.waitFor();
            if (container.timedOut()) {
                err.println("barco: container killed after its timeout of "
                        + spec.timeout().map(Durations::format).orElse("?"));
            }
            if (container.oomKilled()) {
                err.println("barco: the OOM killer killed a process of the container (memory limit "
                        + spec.limits().memoryLimit().stream()
                                .mapToObj(Size::format)
                                .findFirst()
                                .orElse("none") + ")");
            }
            log.info("container " + status + " after " + container.wallTime().toMillis() + " ms");
            ResourceUsage usage = container.usage().orElseThrow();
            if (stats) {
                usage.describe().forEach(line -> err.println("barco: " + line));
            } else {
                usage.describe().forEach(line -> log.info(line));
            }
            log.info("freeing resources...");
        } finally {
            log.info("so long and thanks for all the fish");
        }
        return status.code();
    }

    /**
     * A named container: barco's init as PID 1, the command exec'd into it, and the name recorded
     * for {@code barco exec NAME} while it runs. The container ends with the command.
     */
    private int runNamed(ContainerSpec spec, LaunchObserver observer, SignalForwarding signals, VerboseLog log)
            throws InterruptedException {
        try (RunningContainer container = BarcoRuntime.defaults().start(spec, observer)) {
            NamedContainers.register(name, container, recordedCommandLine());
            try {
                log.info("container " + name + " runs with init as host pid " + container.pid());
                Container main = container.start(ExecSpec.builder(spec.command())
                        .args(spec.args())
                        .stdio(spec.stdin())
                        .timeout(spec.timeout().orElse(null))
                        .build());
                signals.to(main);
                ExitStatus status = main.waitFor();
                if (main.timedOut()) {
                    err.println("barco: container killed after its timeout of "
                            + spec.timeout().map(Durations::format).orElse("?"));
                }
                if (stats) {
                    main.usage().orElseThrow().describe().forEach(line -> err.println("barco: " + line));
                }
                return status.code();
            } finally {
                NamedContainers.unregister(name, container);
            }
        }
    }

    /**
     * picocli's parser for barco's commands: an {@code @word} is the program's own argument (curl's
     * {@code -d @body.json}, say), never a file of barco's options to read in its place.
     */
    static CommandLine parser(Object command) {
        return new CommandLine(command).setExpandAtFiles(false);
    }

    /** Runs the CLI and returns its exit status; {@code barco gc} removes what dead JVMs left. */
    public static int execute(String[] argv, PrintStream out, PrintStream err) {
        return execute(argv, Invocation.cli(out, err));
    }

    /**
     * Runs the CLI for {@code invocation}: this process's own, or a launch service's client's. Also
     * {@code barco java-fork BARCO-JAVA ARG...}: bin/barco-java's fork of {@code java ARG...}
     * ({@link JavaFork}) and {@code barco serve --socket PATH} ({@link ServeCommand}).
     */
    static int execute(String[] argv, Invocation invocation) {
        PrintStream out = invocation.out();
        PrintStream err = invocation.err();
        if (argv.length >= 2 && argv[0].equals(JavaFork.COMMAND)) {
            List<String> options;
            try {
                options = JavaFork.options(
                        Path.of(argv[1]),
                        List.of(argv).subList(2, argv.length),
                        invocation.environmentMap(),
                        invocation.cwd() != null
                                ? invocation.cwd()
                                : Path.of("").toAbsolutePath(),
                        err);
            } catch (JavaFork.Refused e) {
                err.println(e.getMessage());
                return EXIT_BARCO_FAILED;
            }
            return execute(options.toArray(String[]::new), invocation);
        }
        if (!invocation.served() && argv.length >= 1 && argv[0].equals("serve")) {
            return ServeCommand.run(argv, err);
        }
        if (!invocation.served() && argv.length == 1 && argv[0].equals("gc")) {
            return collectGarbage(out, err);
        }
        if (!invocation.served()
                && argv.length >= 1
                && List.of("images", "pull", "rmi").contains(argv[0])) {
            return ImagesCommand.run(argv, Path.of("").toAbsolutePath(), out, err);
        }
        if (argv.length >= 1 && argv[0].equals("exec")) {
            if (invocation.served()) {
                err.println("barco: barco exec is not served by barco serve: run it itself");
                return EXIT_BARCO_FAILED;
            }
            return ExecCommand.run(argv, err);
        }
        BarcoCommand command = new BarcoCommand(invocation);
        command.commandLine = List.of(argv);
        CommandLine cli = parser(command);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, args) -> {
            err.println(UsageProblem.line(e, args));
            return EXIT_BARCO_FAILED;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println(e instanceof BarcoException failure ? Flags.line(failure) : "barco: " + e.getMessage());
            if (e instanceof CommandNotFoundException) {
                return EXIT_NOT_FOUND;
            }
            if (e instanceof CommandNotExecutableException) {
                return EXIT_CANNOT_EXECUTE;
            }
            if (e instanceof ImageException) {
                return EXIT_IMAGE_FAILED;
            }
            if (e instanceof BarcoException) {
                return EXIT_BARCO_FAILED;
            }
            e.printStackTrace(err);
            return EXIT_BARCO_FAILED;
        });
        return cli.execute(argv);
    }

    private static int collectGarbage(PrintStream out, PrintStream err) {
        try {
            List<Path> removed = BarcoRuntime.defaults().collectGarbage();
            removed.forEach(group -> out.println("removed " + group));
            List<Path> directories = OwnedTempDirectories.collectDead();
            directories.forEach(dir -> out.println("removed " + dir));
            NamedContainers.collectDead()
                    .forEach(dead -> out.println("removed the name " + dead + " of a container that ended"));
            List<Path> images = ImagesCommand.collect(out, err);
            out.println("barco gc: " + removed.size() + " cgroup" + (removed.size() == 1 ? "" : "s") + " and "
                    + directories.size() + " temp director" + (directories.size() == 1 ? "y" : "ies")
                    + " of dead launchers removed"
                    + (images.isEmpty()
                            ? ""
                            : ", and " + images.size() + " unused or unfinished image layer"
                                    + (images.size() == 1 ? "" : "s")));
            return 0;
        } catch (BarcoException e) {
            err.println(Flags.line(e));
            return EXIT_BARCO_FAILED;
        }
    }

    public static void main(String[] argv) {
        System.exit(execute(argv, System.out, System.err));
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BarcoCommand.class.getPackage().getImplementationVersion();
            return new String[] {"barco " + (version == null ? "dev" : version) + " (Java " + Runtime.version() + ")"};
        }
    }
}
