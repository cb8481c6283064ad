package io.barco.cli;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.cgroup.ResourceUsage;
import io.barco.launch.LaunchObserver;
import io.barco.spec.Limits;
import io.barco.spec.Size;
import io.barco.launch.CommandNotExecutableException;
import io.barco.launch.CommandNotFoundException;
import io.barco.launch.Container;
import io.barco.launch.ExitStatus;
import io.barco.launch.NamedContainers;
import io.barco.launch.RunningContainer;
import io.barco.spec.ExecSpec;
import io.barco.plan.LaunchPlan;
import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.IdMapping;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.RootMode;
import io.barco.spec.Stdio;
import io.barco.sys.OwnedTempDirectories;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code barco} command line, with the seed's interface: {@code barco -u 0 -m / -c /bin/sh -a . -v}.
 * Exit status: the container's own, 128+N when it died by signal N, 125 when barco itself failed,
 * 126 when the command cannot be executed, 127 when it does not exist.
 */
@Command(name = "barco", mixinStandardHelpOptions = true, versionProvider = BarcoCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs a command in a new Linux container: its own user, mount, PID, UTS, IPC, network and "
                + "cgroup namespaces, a read-only root, dropped capabilities and a seccomp filter.",
        footer = {"", "Examples:",
                "  barco -u 0 -m / -c /bin/sh -a .          an interactive shell in a container",
                "  barco -c /bin/sh -- -c 'echo hi'         run /bin/sh -c 'echo hi'",
                "  barco --memory 64M --stats -c /bin/sh -- -c '...'   under a 64M memory limit, print usage",
                "  barco --name web -c python3 -- -m http.server   a container named web ...",
                "  barco exec web -- curl -s 127.0.0.1:8000 ... and a command run in it, sharing its network",
                "  barco gc                                 remove what launchers that died left: cgroups, temp directories",
                "", "Exit status: the command's own; 128+N if it died by signal N; 125 if barco failed;",
                "126 if the command cannot be executed; 127 if it does not exist."})
public final class BarcoCommand implements Callable<Integer> {
    public static final int EXIT_BARCO_FAILED = 125;
    public static final int EXIT_CANNOT_EXECUTE = 126;
    public static final int EXIT_NOT_FOUND = 127;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "uid and gid inside the container (default: ${DEFAULT-VALUE})")
    long uid = 0;

    @Option(names = "--gid", paramLabel = "GID", description = "gid inside the container (default: the uid)")
    Long gid;

    @Option(names = {"-m", "--mnt"}, paramLabel = "DIR", description = "root filesystem of the container (default: ${DEFAULT-VALUE})")
    Path rootfs = Path.of("/");

    @Option(names = {"-c", "--cmd"}, paramLabel = "PROGRAM", required = true, description = "program to run; searched on PATH when it has no slash")
    String command;

    @Option(names = {"-a", "--arg"}, paramLabel = "NAME", description = "the name the program sees as argv[0] (default: PROGRAM)")
    String argv0;

    @Option(names = {"-v", "--verbosity"}, description = "log what barco does; twice to log every launch step")
    boolean[] verbosity = new boolean[0];

    @Option(names = "--hostname", paramLabel = "NAME", description = "hostname (default: ${DEFAULT-VALUE})")
    String hostname = ContainerSpec.DEFAULT_HOSTNAME;

    @Option(names = "--rw", description = "a writable root that is thrown away: an overlay on the rootfs (the host's / too) "
            + "whose writes vanish with the container; the rootfs never changes (default: read-only)")
    boolean readWrite;

    @Option(names = "--rw-size", paramLabel = "SIZE", description = "the most a --rw root holds of what the container writes, "
            + "in memory (default: 1G); beyond it a write fails with ENOSPC")
    String readWriteSize;

    @Option(names = "--rw-host-root", description = "DANGEROUS: mount the rootfs itself read-write: with the default rootfs /, "
            + "the container changes the host's own files (as host uid 10000 and up)")
    boolean readWriteHostRoot;

    @Option(names = "--bind", paramLabel = "SRC:DST[:ro|rw]", description = "bind a host path into the container")
    List<String> binds = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "DST", description = "mount a fresh tmpfs at DST")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "set an environment variable (NAME alone copies barco's)")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "working directory (default: /)")
    String workdir = "/";

    @Option(names = "--network", paramLabel = "none|host", description = "none: private, loopback only (default); host: share the host's")
    String network = "none";

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "kill the container after this long (30, 500ms, 10s, 2m)")
    Duration timeout;

    @Option(names = "--cap-add", paramLabel = "CAP", split = ",", description = "keep a capability the default drops")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", split = ",", description = "drop a capability the default keeps (ALL for all)")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--seccomp-deny", paramLabel = "SYSCALL", split = ",", description = "also refuse these system calls with EPERM")
    List<String> seccompDeny = new ArrayList<>();

    @Option(names = "--no-seccomp", description = "load no seccomp filter (no_new_privs stays set)")
    boolean noSeccomp;

    @Option(names = "--id-map", paramLabel = "INSIDE:OUTSIDE:COUNT", description = "user namespace mapping for uids and gids (default: 0:10000:2000)")
    String idMap;

    @Option(names = "--memory", paramLabel = "SIZE", description = "memory limit, e.g. 512M, 1G, or max (default: ${DEFAULT-VALUE}, the seed's)")
    String memory = "1G";

    @Option(names = "--memory-swap", paramLabel = "SIZE", description = "memory plus swap limit (default: the memory limit: no swap)")
    String memorySwap;

    @Option(names = "--cpu-weight", paramLabel = "1..10000", description = "relative CPU weight, or max to leave the default (default: ${DEFAULT-VALUE}, the seed's)")
    String cpuWeight = "256";

    @Option(names = "--cpus", paramLabel = "N", description = "CPU time in cores, e.g. 1.5 = 150 ms per 100 ms (default: no limit)")
    Double cpus;

    @Option(names = "--pids", paramLabel = "N", description = "most tasks at once, or max (default: ${DEFAULT-VALUE}, the seed's)")
    String pids = "64";

    @Option(names = "--allow-missing-controllers", description = "run without a limit this host cannot enforce instead of failing")
    boolean allowMissingControllers;

    @Option(names = "--stats", description = "print the container's resource usage when it ends")
    boolean stats;

    @Option(names = "--name", paramLabel = "NAME", description = "name the container, so that barco exec NAME -- CMD runs commands in it while it runs")
    String name;

    @Parameters(paramLabel = "ARG", description = "arguments for the program, after --")
    List<String> args = new ArrayList<>();

    private final PrintStream err;
    /** The command line as given, which a named container records for barco exec to derive the same spec. */
    private List<String> commandLine = List.of();

    BarcoCommand(PrintStream err) {
        this.err = err;
    }

    /** --rw is the throwaway overlay; only --rw-host-root, named for what it does, writes to the rootfs. */
    private RootMode rootMode() {
        if (readWrite && readWriteHostRoot) {
            throw new InvalidSpecException("--rw and --rw-host-root exclude each other: --rw writes to a throwaway overlay, "
                    + "--rw-host-root to the rootfs itself; give one of them");
        }
        if (readWriteSize != null && !readWrite) {
            throw new InvalidSpecException("--rw-size limits the overlay of --rw" + (readWriteHostRoot ? ", not --rw-host-root" : "")
                    + ": add --rw, or drop --rw-size");
        }
        return readWrite ? RootMode.OVERLAY : readWriteHostRoot ? RootMode.WRITE_THROUGH : RootMode.READ_ONLY;
    }

    /** The spec these options describe. */
    ContainerSpec spec() {
        ContainerSpec.Builder b = ContainerSpec.builder(command).argv0(argv0).args(args).uid(uid)
                .rootfs(rootfs.toAbsolutePath().normalize()).rootMode(rootMode()).hostname(hostname)
                .workdir(workdir).network(NetworkMode.parse(network)).timeout(timeout)
                .stdio(Stdio.INHERIT);
        if (gid != null) {
            b.gid(gid);
        }
        if (readWriteSize != null) {
            long bytes;
            try {
                bytes = Size.parse(readWriteSize);
            } catch (InvalidSpecException e) {
                bytes = 0;
            }
            if (bytes < ContainerSpec.MIN_ROOT_OVERLAY_SIZE) {
                throw new InvalidSpecException("invalid --rw-size '" + readWriteSize + "': give at least "
                        + Size.format(ContainerSpec.MIN_ROOT_OVERLAY_SIZE) + ", such as 256M or 2G");
            }
            b.rootOverlaySize(bytes);
        }
        if (idMap != null) {
            String[] p = idMap.split(":");
            if (p.length != 3) {
                throw new InvalidSpecException("invalid --id-map '" + idMap + "': use INSIDE:OUTSIDE:COUNT, e.g. 0:10000:2000");
            }
            try {
                b.idMapping(new IdMapping(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])));
            } catch (NumberFormatException e) {
                throw new InvalidSpecException("invalid --id-map '" + idMap + "': use three numbers, e.g. 0:10000:2000");
            }
        }
        String term = System.getenv("TERM");
        if (term != null) {
            b.env("TERM", term); // an interactive shell needs to know its terminal
        }
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq < 0) {
                String value = System.getenv(e);
                if (value != null) {
                    b.env(e, value);
                }
            } else {
                b.env(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        b.limits(limits()).allowMissingControllers(allowMissingControllers);
        binds.forEach(spec -> b.mount(Mount.parseBind(spec)));
        tmpfs.forEach(b::tmpfs);
        capAdd.forEach(c -> b.addCapabilities(Capability.parse(c)));
        for (String c : capDrop) {
            if (c.equalsIgnoreCase("ALL")) {
                b.capabilities(java.util.Set.of());
            } else {
                b.dropCapabilities(Capability.parse(c));
            }
        }
        if (noSeccomp) {
            b.seccomp(null);
        } else if (!seccompDeny.isEmpty()) {
            b.seccomp(io.barco.seccomp.SeccompProfile.defaults().deny(seccompDeny.toArray(String[]::new)));
        }
        return b.build();
    }

    private Limits limits() {
        Limits limits = Limits.NONE;
        if (!isMax(memory)) {
            limits = limits.withMemory(Size.parse(memory));
        }
        if (memorySwap != null && !isMax(memorySwap)) {
            limits = limits.withMemorySwap(Size.parse(memorySwap));
        } else if (memorySwap != null && limits.memory() != null) {
            limits = limits.withMemorySwap(Long.MAX_VALUE / 4); // swap without a cap
        }
        if (!isMax(cpuWeight)) {
            limits = limits.withCpuWeight(parseInt("--cpu-weight", cpuWeight));
        }
        if (cpus != null) {
            limits = limits.withCpus(cpus);
        }
        if (!isMax(pids)) {
            limits = limits.withPids(parseInt("--pids", pids));
        }
        return limits;
    }

    private static boolean isMax(String value) {
        return value.equalsIgnoreCase("max");
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("invalid " + option + " '" + value + "': give a whole number or max");
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
                log.info("starting the native helper: namespaces, id maps, cgroups, mounts, pivot_root, capabilities, seccomp...");
                log.info("### BARCONTAINER STARTING - type 'exit' to quit ###");
            }
        };
        SignalForwarding signals = SignalForwarding.install(spec.stdin() == Stdio.INHERIT && System.console() != null);
        if (name != null) {
            return runNamed(spec, observer, signals, log);
        }
        ExitStatus status;
        try (Container container = BarcoRuntime.defaults().launch(spec, observer)) {
            signals.to(container);
            // after the banner the container owns the terminal: only -vv interleaves with it
            log.debug("container runs as host pid " + container.pid());
            status = container.waitFor();
            if (container.timedOut()) {
                err.println("barco: container killed after its timeout of " + spec.timeout().map(Duration::toString).orElse("?"));
            }
            if (container.oomKilled()) {
                err.println("barco: the OOM killer killed a process of the container (memory limit "
                        + spec.limits().memoryLimit().stream().mapToObj(Size::format).findFirst().orElse("none") + ")");
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
            NamedContainers.register(name, container, commandLine);
            try {
                log.info("container " + name + " runs with init as host pid " + container.pid());
                Container main = container.start(ExecSpec.builder(spec.command()).args(spec.args()).stdio(spec.stdin())
                        .timeout(spec.timeout().orElse(null)).build());
                signals.to(main);
                ExitStatus status = main.waitFor();
                if (main.timedOut()) {
                    err.println("barco: container killed after its timeout of " + spec.timeout().map(Duration::toString).orElse("?"));
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

    /** {@code barco exec NAME [--] CMD [ARG...]}: runs a command in the running container named NAME. */
    static int exec(String[] argv, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(argv).subList(1, argv.length));
        if (rest.isEmpty() || rest.get(0).startsWith("-")) {
            err.println("barco: usage: barco exec NAME [--] COMMAND [ARG...] (see barco --help)");
            return EXIT_BARCO_FAILED;
        }
        String target = rest.remove(0);
        if (!rest.isEmpty() && rest.get(0).equals("--")) {
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            err.println("barco: no command to run in " + target + ": barco exec " + target + " -- COMMAND [ARG...]");
            return EXIT_BARCO_FAILED;
        }
        try (RunningContainer container = BarcoRuntime.defaults().attach(target, options -> {
            BarcoCommand recorded = new BarcoCommand(err);
            new CommandLine(recorded).parseArgs(options.toArray(String[]::new));
            return recorded.spec();
        })) {
            SignalForwarding signals = SignalForwarding.install(System.console() != null);
            Container process = container.start(ExecSpec.builder(rest.get(0)).args(rest.subList(1, rest.size()))
                    .stdio(Stdio.INHERIT).build());
            signals.to(process);
            return process.waitFor().code();
        } catch (CommandNotFoundException e) {
            err.println("barco: " + e.getMessage());
            return EXIT_NOT_FOUND;
        } catch (CommandNotExecutableException e) {
            err.println("barco: " + e.getMessage());
            return EXIT_CANNOT_EXECUTE;
        } catch (BarcoException | CommandLine.ParameterException e) {
            err.println("barco: " + e.getMessage());
            return EXIT_BARCO_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_BARCO_FAILED;
        }
    }

    /** Runs the CLI and returns its exit status; {@code barco gc} removes what dead JVMs left. */
    public static int execute(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 1 && argv[0].equals("gc")) {
            return collectGarbage(out, err);
        }
        if (argv.length >= 1 && argv[0].equals("exec")) {
            return exec(argv, err);
        }
        BarcoCommand command = new BarcoCommand(err);
        command.commandLine = List.of(argv);
        CommandLine cli = new CommandLine(command);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, args) -> {
            err.println("barco: " + e.getMessage() + " (see barco --help)");
            return EXIT_BARCO_FAILED;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("barco: " + e.getMessage());
            if (e instanceof CommandNotFoundException) {
                return EXIT_NOT_FOUND;
            }
            if (e instanceof CommandNotExecutableException) {
                return EXIT_CANNOT_EXECUTE;
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
            NamedContainers.collectDead().forEach(dead -> out.println("removed the name " + dead + " of a container that ended"));
            out.println("barco gc: " + removed.size() + " cgroup" + (removed.size() == 1 ? "" : "s") + " and " + directories.size()
                    + " temp director" + (directories.size() == 1 ? "y" : "ies") + " of dead launchers removed");
            return 0;
        } catch (BarcoException e) {
            err.println("barco: " + e.getMessage());
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
