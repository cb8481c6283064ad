package io.barco.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.testing.RequiresContainers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The barco command as users run it: the packaged CLI jar in a process of its own. */
@RequiresContainers
class CliIT {
    private static final Path JAR = Path.of(System.getProperty("barco.cli.jar", "target/barco-cli.jar"));

    record Run(int exit, String stdout, String stderr) {}

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "java",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Run barco(String... args) throws IOException, InterruptedException {
        return run(command(args));
    }

    static Run run(List<String> cmd) throws IOException, InterruptedException {
        return run(new ProcessBuilder(cmd));
    }

    static Run run(ProcessBuilder builder) throws IOException, InterruptedException {
        Process p = track(builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start());
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** The barco CLIs this test started: their containers' groups are named for their pids. */
    private static final Set<Long> STARTED = ConcurrentHashMap.newKeySet();

    private Set<String> tmpBefore;

    @BeforeEach
    void rememberTmp() throws IOException {
        tmpBefore = barcoTmpEntries();
    }

    /** A temp directory barco owns carries its launcher's pid: barco-KIND-PID-START-... */
    private static final java.util.regex.Pattern OWNED = java.util.regex.Pattern.compile("barco-[a-z]+-(\\d+)-.*");

    private static Set<String> barcoTmpEntries() throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.map(p -> p.getFileName().toString())
                    .filter(n -> OWNED.matcher(n).matches())
                    .collect(Collectors.toSet());
        }
    }

    /** Only what this test made: other builds on the machine may have their own barco entries and containers. */
    @AfterEach
    void nothingLeftBehind() throws Exception {
        // new entries of the barco CLIs this test started; others' come and go meanwhile
        assertThat(barcoTmpEntries().stream()
                        .filter(n -> !tmpBefore.contains(n))
                        .map(OWNED::matcher)
                        .filter(java.util.regex.Matcher::matches)
                        .filter(m -> STARTED.contains(Long.parseLong(m.group(1))))
                        .map(java.util.regex.Matcher::group)
                        .toList())
                .isEmpty();
        // no process is left in a container group of a barco CLI this test started, once it has exited
        assertThat(ProcessHandle.allProcesses()
                        .filter(CliIT::inAContainerOfOurs)
                        .map(ProcessHandle::pid)
                        .toList())
                .isEmpty();
    }

    /** Remembers the process and, while it runs, its descendants (a CLI under script(1)) as this test's. */
    static Process track(Process p) {
        STARTED.add(p.pid());
        Thread watcher = new Thread(
                () -> {
                    while (p.isAlive()) {
                        p.descendants().forEach(d -> STARTED.add(d.pid()));
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "cli-it-tracker");
        watcher.setDaemon(true);
        watcher.start();
        return p;
    }

    private static boolean inAContainerOfOurs(ProcessHandle p) {
        try {
            String cgroups = io.barco.sys.ProcFiles.read(Path.of("/proc/" + p.pid() + "/cgroup"));
            return STARTED.stream().anyMatch(cli -> cgroups.contains("/barco-" + cli + "-"));
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    @Test
    void rwIsAThrowawayOverlayOverTheHostsRootAndRwHostRootStillWritesThrough() throws Exception {
        Path hosts = Path.of("/etc/hosts");
        byte[] before = Files.readAllBytes(hosts);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(hosts);
        Run overlay = barco(
                "--rw",
                "--rw-size",
                "8M",
                "-c",
                "/bin/sh",
                "--",
                "-c",
                "echo '10.9.8.7 cli-it' >> /etc/hosts && grep -c cli-it /etc/hosts");
        assertThat(overlay.exit()).as(overlay.stderr()).isZero();
        assertThat(overlay.stdout()).isEqualTo("1\n");
        assertThat(Files.readAllBytes(hosts)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(hosts)).isEqualTo(mtime);

        // only this test's own file: /var/tmp is world-writable, so container root (host uid 10000) may create it
        Path mine = Path.of("/var/tmp", "cli-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Run through = barco("--rw-host-root", "-c", "/bin/sh", "--", "-c", "echo through > " + mine);
            assertThat(through.exit()).as(through.stderr()).isZero();
            assertThat(mine).hasContent("through");
        } finally {
            Files.deleteIfExists(mine);
        }
    }

    /**
     * The binds barco-java builds a test JVM's container from: a directory the container's user may
     * not enter (mode 0700, as /root) hidden by a tmpfs, with one directory below it brought back
     * read-only and idmapped; a throwaway overlay on a host directory; a host file written through
     * an idmapped bind. Given children first: mounts go parents first.
     */
    @Test
    void bindsMayBeIdmappedOrThrowawayOverlays() throws Exception {
        Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cli-it-binds-");
        Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path closed = Files.createDirectories(base.resolve("closed"));
        Path repo = Files.createDirectories(closed.resolve("repo"));
        Files.writeString(repo.resolve("lib.jar"), "jar");
        Path project = Files.createDirectories(base.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), "pom");
        Path exec = Files.writeString(base.resolve("jacoco.exec"), "");
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(repo, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try {
            Run plain = barco("-c", "/bin/cat", "--", repo.resolve("lib.jar").toString());
            assertThat(plain.exit()).isEqualTo(1);
            assertThat(plain.stderr()).contains("Permission denied");

            Run run = barco(
                    "--bind",
                    exec + ":" + exec + ":rw,idmap",
                    "--bind",
                    project + ":" + project + ":overlay",
                    "--bind",
                    repo + ":" + repo + ":ro,idmap",
                    "--tmpfs",
                    closed.toString(),
                    "-w",
                    project.toString(),
                    "-c",
                    "/bin/sh",
                    "--",
                    "-c",
                    "cat " + repo.resolve("lib.jar") + " && echo changed > pom.xml && mkdir target"
                            + " && echo built > target/x && cat pom.xml target/x && echo coverage > " + exec
                            + " && ls " + closed + " && ! touch " + repo.resolve("new"));
            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.stdout()).isEqualTo("jarchanged\nbuilt\nrepo\n");
            assertThat(project.resolve("pom.xml")).hasContent("pom");
            assertThat(project.resolve("target")).doesNotExist();
            assertThat(exec).hasContent("coverage");
            assertThat(Files.getOwner(exec).getName())
                    .isEqualTo(Files.getOwner(base).getName());
        } finally {
            Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            try (var paths = Files.walk(base)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void execRunsACommandInAContainerStartedByAnotherBarcoWithAName() throws Exception {
        String name = "cli-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process server = track(new ProcessBuilder(command(
                        "--name",
                        name,
                        "--hostname",
                        "named",
                        "-c",
                        "python3",
                        "--",
                        "-m",
                        "http.server",
                        "--bind",
                        "127.0.0.1",
                        "8000"))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
        try {
            String fetch =
                    "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/', timeout=5).status)";
            Run fetched = null;
            for (int i = 0; i < 100 && (fetched == null || fetched.exit() != 0); i++) {
                fetched = barco("exec", name, "--", "python3", "-c", fetch);
                if (fetched.exit() != 0) {
                    Thread.sleep(100);
                }
            }
            assertThat(fetched.stdout()).as(fetched.stderr()).isEqualTo("200\n");
            Run hostname = barco("exec", name, "hostname");
            assertThat(hostname.stdout()).isEqualTo("named\n");
            assertThat(barco("exec", name, "sh", "-c", "exit 3").exit()).isEqualTo(3);
            assertThat(barco("exec", name, "/no/such/program").exit()).isEqualTo(127);
        } finally {
            server.destroy(); // SIGTERM: forwarded to the server, whose end ends the container
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Run gone = barco("exec", name, "true");
        assertThat(gone.exit()).isEqualTo(125);
        assertThat(gone.stderr()).contains("no running container named " + name);
    }

    @Test
    void execGivesItsCommandItsOwnEnvironmentWorkdirAndUidAndWhatTheContainerLacksIsOneLine() throws Exception {
        String name = "cli-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        // started from / with a relative rootfs and a variable of its environment, as a user's shell
        // elsewhere would: barco exec, run from the module's directory, must derive the same spec
        List<String> start = new ArrayList<>(List.of("env", "STARTED_WITH=start"));
        // an hour, ended by the finally below: 120 s had run out before the last exec under emulation
        start.addAll(command("--name", name, "-m", ".", "-e", "STARTED_WITH", "-c", "sleep", "--", "3600"));
        Process container = track(new ProcessBuilder(start)
                .directory(new java.io.File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
        try {
            Run started = null;
            for (int i = 0; i < 100 && (started == null || started.exit() != 0); i++) {
                started = barco("exec", name, "true");
                if (started.exit() != 0) {
                    Thread.sleep(100);
                }
            }
            assertThat(started.exit()).as(started.stderr()).isZero();

            // the container's own -e STARTED_WITH took its value where it started, not where barco exec runs
            List<String> elsewhere = new ArrayList<>(List.of("env", "STARTED_WITH=exec"));
            elsewhere.addAll(command("exec", name, "--", "sh", "-c", "echo $STARTED_WITH"));
            Run origin = run(elsewhere);
            assertThat(origin.stdout()).as(origin.stderr()).isEqualTo("start\n");
            Run env = barco("exec", name, "-e", "FOO=bar", "--", "sh", "-c", "echo $FOO");
            assertThat(env.stdout()).as(env.stderr()).isEqualTo("bar\n");
            List<String> fromBarco = new ArrayList<>(List.of("env", "FROM_BARCO=copied"));
            fromBarco.addAll(command("exec", name, "-e", "FROM_BARCO", "--", "sh", "-c", "echo $FROM_BARCO"));
            assertThat(run(fromBarco).stdout()).isEqualTo("copied\n");
            Run pwd = barco("exec", name, "-w", "/etc", "--", "pwd");
            assertThat(pwd.stdout()).as(pwd.stderr()).isEqualTo("/etc\n");
            Run uid = barco("exec", name, "-u", "1000", "--", "id", "-u");
            assertThat(uid.stdout()).as(uid.stderr()).isEqualTo("1000\n");
            // the gid follows the uid, and a uid other than 0 keeps no capability, as for the container's command
            Run ids = barco("exec", "-u", "1000", name, "sh", "-c", "id -g; grep CapEff /proc/self/status");
            assertThat(ids.stdout()).as(ids.stderr()).isEqualTo("1000\nCapEff:\t0000000000000000\n");

            // what only the running container can tell: one line and 125, no group left, and the container runs on
            assertThat(barco("exec", name, "-w", "/nope", "--", "pwd"))
                    .isEqualTo(
                            new Run(
                                    125,
                                    "",
                                    "barco: working directory /nope does not exist in the container: create it in the rootfs, or give another (-w)\n"));
            assertThat(barco("exec", name, "-w", "/etc/passwd", "--", "pwd"))
                    .isEqualTo(
                            new Run(
                                    125,
                                    "",
                                    "barco: working directory /etc/passwd is not a directory in the container: give a directory (-w)\n"));
            assertThat(barco("exec", name, "-u", "2000", "--", "id", "-u"))
                    .isEqualTo(
                            new Run(
                                    125,
                                    "",
                                    "barco: uid 2000 is outside the mapped range 0..1999: pick a uid in it or widen the mapping (-u)\n"));
            assertThat(execGroupsLeft(name)).isEmpty();
            assertThat(barco("exec", name, "true").exit()).isZero();
        } finally {
            container.destroy();
            assertThat(container.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Groups of this test's barco exec commands still in the container named {@code name}: each exec removes its own. */
    private static List<Path> execGroupsLeft(String name) throws IOException {
        java.util.Collection<Path> groups =
                io.barco.launch.NamedContainers.lookup(name).cgroups().values();
        assertThat(groups)
                .as("the container's groups, as its name records them")
                .isNotEmpty();
        List<Path> left = new ArrayList<>();
        for (Path group : groups) {
            try (Stream<Path> children = Files.list(group)) {
                children.filter(child -> Files.isDirectory(child)
                                && STARTED.stream()
                                        .anyMatch(cli ->
                                                child.getFileName().toString().startsWith("exec-" + cli + "-")))
                        .forEach(left::add);
            }
        }
        return left;
    }

    @Test
    void runsTheProgramWithTheArgumentsAfterDoubleDash() throws Exception {
        Run r = barco("-u", "0", "-m", "/", "-c", "/bin/sh", "--", "-c", "echo hi from $(hostname); exit 7");
        assertThat(r.stdout()).isEqualTo("hi from barcontainer\n");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exit()).isEqualTo(7);
    }

    @Test
    void argIsTheProgramsName() throws Exception {
        Run r = barco("-m", "/", "-c", "/bin/sh", "-a", "myshell", "--", "-c", "echo $0");
        assertThat(r.stdout()).isEqualTo("myshell\n");
    }

    @Test
    void verboseLogsTheStepsLikeTheSeed() throws Exception {
        Run r = barco("-u", "0", "-m", "/", "-c", "/bin/true", "-v");
        assertThat(r.exit()).isZero();
        List<String> lines = r.stderr().lines().toList();
        assertThat(lines).allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d INFO  barco: .*"));
        assertThat(lines.get(lines.size() - 1)).endsWith("so long and thanks for all the fish");
        assertThat(r.stderr())
                .contains("### BARCONTAINER STARTING - type 'exit' to quit ###")
                .contains("freeing resources...");
    }

    @Test
    void veryVerboseListsEveryLaunchStep() throws Exception {
        Run r = barco("-c", "/bin/true", "-vv");
        assertThat(r.stderr())
                .contains("DEBUG barco: step")
                .contains("pivot_root(")
                .contains("load the seccomp filter");
    }

    @Test
    void longOptionsShapeTheContainer() throws Exception {
        Path dir = Files.createTempDirectory("barco-cli-it");
        try {
            Files.writeString(dir.resolve("in.txt"), "bound");
            // container root is host uid 10000: it may enter only what others may enter
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Run r = barco(
                    "--hostname",
                    "box",
                    "--bind",
                    dir + ":/srv:ro",
                    "--tmpfs",
                    "/media",
                    "--env",
                    "A=1",
                    "--workdir",
                    "/srv",
                    "--network",
                    "none",
                    "-c",
                    "/bin/sh",
                    "--",
                    "-c",
                    "hostname; cat in.txt; echo; echo $A; touch /media/x && echo tmpfs-ok; pwd");
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).isEqualTo("box\nbound\n1\ntmpfs-ok\n/srv\n");
        } finally {
            Files.walk(dir)
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void timeoutKillsAndExitsWith137() throws Exception {
        Run r = barco("--timeout", "300ms", "-c", "/bin/sleep", "--", "30");
        assertThat(r.exit()).isEqualTo(137);
        assertThat(r.stderr())
                .isEqualTo("barco: container killed after its timeout of 300ms\n"); // as users write it, not PT0.3S
    }

    /** On a terminal SIGINT would reach the container directly; here barco has none and forwards it. */
    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"TERM, 42", "HUP, 43", "INT, 44"})
    void signalsToBarcoReachTheContainer(String signal, int exit) throws Exception {
        // as a user's shell would start it: a signal the build ignores (nohup, a background job's
        // SIGINT) stays ignored in its children, and then barco, like any program, leaves it ignored
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=HUP,INT,TERM"));
        cmd.addAll(command(
                "-c",
                "/bin/sh",
                "--",
                "-c",
                "trap 'echo got " + signal + "; exit " + exit + "' " + signal + "; echo ready; sleep 60 & wait"));
        Process p = track(new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start());
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        // Process.destroy() would close our end of its output: send the signal as a user would
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertThat(out.readLine()).isEqualTo("got " + signal);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(exit);
    }

    /** A rootfs with every directory the container mounts on but /run, as a hand-made one may be. */
    private static final Path NO_RUN =
            Path.of("target/cli-it-rootfs-without-run").toAbsolutePath();

    /**
     * Every kind of bad input beside the exact line it gets and its exit status: 127 when the program
     * does not exist, 126 when it cannot be executed, 125 for the rest; nothing is left behind
     * ({@link #nothingLeftBehind}). Arguments split at spaces, except inside single quotes. Those of
     * barco exec are refused before a container is reached (so none need run here); what only a
     * running container can tell is in {@link #execGivesItsCommandItsOwnEnvironmentWorkdirAndUidAndWhatTheContainerLacksIsOneLine}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "missing rootfs          | 125 | -m /no/such/root -c /bin/true      | barco: rootfs /no/such/root does not exist: give an existing directory (-m)",
                "rootfs is a file        | 125 | -m /etc/passwd -c /bin/true        | barco: rootfs /etc/passwd is not a directory: give a directory (-m)",
                "rootfs without /run     | 125 | -m $NO_RUN -c /bin/true            | barco: rootfs $NO_RUN lacks the directory /run, where the container mounts filesystems of its own: create it in the rootfs (-m)",
                "command not found       | 127 | -c /no/such/cmd                    | barco: command not found in the container: /no/such/cmd (give an absolute path, or one on the container's PATH)",
                "command not executable  | 126 | -c /etc/passwd                     | barco: cannot execute /etc/passwd in the container: Permission denied",
                "program's -c given to barco | 125 | -c /bin/sh -c 'echo hi'        | barco: -c names the program once; its own arguments go after --, as in barco -c /bin/sh -- -c 'echo hi'",
                "program's option given to barco | 125 | -c ls -la /                | barco: unknown option '-la'; the program's own arguments go after --, as in barco -c ls -- -la /",
                "unknown option          | 125 | --frobnicate -c /bin/true          | barco: unknown option '--frobnicate' (see barco --help)",
                "missing command         | 125 | -m /                               | barco: no program given: name it with -c PROGRAM, e.g. -c /bin/sh (-c)",
                "uid not a number        | 125 | -u abc -c /bin/true                | barco: invalid uid 'abc': give a whole number, 0 or more (-u)",
                "uid outside the mapping | 125 | -u 2000 -c /bin/true               | barco: uid 2000 is outside the mapped range 0..1999: pick a uid in it or widen the mapping (-u)",
                "bad id mapping          | 125 | --id-map 0:1 -c /bin/true          | barco: invalid id mapping '0:1': use INSIDE:OUTSIDE:COUNT, e.g. 0:10000:2000 (--id-map)",
                "missing workdir         | 125 | -w /nope -c /bin/true              | barco: working directory /nope does not exist in the container: create it in the rootfs, or give another (-w)",
                "workdir is a file       | 125 | -w /etc/passwd -c /bin/true        | barco: working directory /etc/passwd is not a directory in the container: give a directory (-w)",
                "relative workdir        | 125 | -w srv -c /bin/true                | barco: working directory 'srv' is not absolute: give a path such as /srv (-w)",
                "bad bind                | 125 | --bind /etc -c /bin/true           | barco: invalid bind '/etc': use SRC:DST or SRC:DST:ro (--bind)",
                "missing bind source     | 125 | --bind /no/such:/x -c /bin/true    | barco: bind source /no/such does not exist: create it or bind another (--bind)",
                "bad bind mode           | 125 | --bind /etc:/x:idmap -c /bin/true  | barco: invalid bind mode 'idmap' in '/etc:/x:idmap': use ro, rw or overlay, or ro,idmap or rw,idmap to give the files of the source's owner to the container's user (--bind)",
                "bad network             | 125 | --network bridge -c /bin/true      | barco: unknown network mode 'bridge': use none or host (--network)",
                "bad timeout             | 125 | --timeout 5x -c /bin/true          | barco: invalid timeout '5x': use e.g. 30, 500ms, 1.5s, 2m30s or 1h (--timeout)",
                "bad memory              | 125 | --memory 1X -c /bin/true           | barco: invalid size '1X': use bytes or a number with K, M, G or T, e.g. 512M or 1G (--memory)",
                "bad pids                | 125 | --pids lots -c /bin/true           | barco: invalid pids 'lots': give a whole number or max (--pids)",
                "bad capability          | 125 | --cap-add CAP_FLY -c /bin/true     | barco: unknown capability 'CAP_FLY': use a name such as NET_ADMIN or CAP_SYS_ADMIN (--cap-add)",
                "unknown syscall         | 125 | --seccomp-deny fly -c /bin/true    | barco: unknown system call 'fly' in the seccomp profile: check its spelling (--seccomp-deny)",
                "bad hostname            | 125 | --hostname a_b -c /bin/true        | barco: invalid hostname 'a_b': use up to 64 letters, digits, dots and dashes (--hostname)",
                "--rw and --rw-host-root | 125 | --rw --rw-host-root -c /bin/true   | barco: --rw and --rw-host-root exclude each other: --rw writes to a throwaway overlay, --rw-host-root to the rootfs itself; give one of them",
                "--rw-size without --rw  | 125 | --rw-size 64M -c /bin/true         | barco: --rw-size limits the overlay of --rw: add --rw, or drop --rw-size",
                "--rw-size too small     | 125 | --rw --rw-size 4k -c /bin/true     | barco: invalid writable root size '4k': give at least 1M, such as 256M or 2G (--rw-size)",
                "docker's ps             | 125 | ps                                 | barco: 'ps' is not a barco command (barco's are exec, images, pull, rmi and gc); to run a program of that name: barco -c ps",
                "program without -c      | 125 | /bin/echo hi                       | barco: give the program with -c and its arguments after --: barco -c /bin/echo -- hi",
                "misspelt option         | 125 | --memroy 64M -c /bin/true          | barco: unknown option '--memroy'; did you mean --memory? (see barco --help)",
                "bind into read-only /   | 125 | --bind /tmp:/nope -c /bin/true     | barco: create mount point /nope (mkdir): Read-only file system (the rootfs is read-only: mount on an existing path, one under /tmp, or use a writable rootfs) (--bind)",
                "exec without a name     | 125 | exec                               | barco: usage: barco exec NAME [-e NAME=VALUE] [-w DIR] [-u UID] [--] PROGRAM [ARG...] (see barco --help)",
                "exec without a program  | 125 | exec web                           | barco: no command to run in web: barco exec web -- PROGRAM [ARG...]",
                "exec's unknown option   | 125 | exec web -it sh                    | barco: unknown option '-it': barco exec takes -e, -w, -u and --gid; the program's own options go after the program (see barco --help)",
                "exec's empty env name   | 125 | exec web -e =x -- true             | barco: invalid environment variable name '': use NAME=VALUE (-e)",
                "exec's relative workdir | 125 | exec web -w relative/path -- pwd   | barco: working directory 'relative/path' is not absolute: give a path such as /srv (-w)",
                "exec's uid not a number | 125 | exec web -u abc -- id              | barco: invalid uid 'abc': give a whole number, 0 or more (-u)",
            })
    void badInputIsOneExactLineAndADistinctExitCode(String what, int exit, String args, String line) throws Exception {
        for (String dir : List.of("proc", "sys", "dev", "tmp")) {
            Files.createDirectories(NO_RUN.resolve(dir));
        }
        Run r = barco(words(args.replace("$NO_RUN", NO_RUN.toString())));
        assertThat(r.stderr()).as(what).isEqualTo(line.replace("$NO_RUN", NO_RUN.toString()) + "\n");
        assertThat(r.exit()).as(what).isEqualTo(exit);
        assertThat(r.stdout()).isEmpty();
    }

    /** Splits at spaces, as a shell would, keeping what single quotes enclose as one word. */
    private static String[] words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.trim().toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words.toArray(String[]::new);
    }

    @Test
    void rootWithoutCapSysAdminAsInAContainerWithoutPrivilegedIsOneClearLine() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"));
        cmd.addAll(command("-c", "/bin/true"));
        Run r = run(cmd);
        assertThat(r.stderr())
                .isEqualTo(
                        "barco: barco runs as root but without CAP_SYS_ADMIN (a Docker or Kubernetes container without"
                                + " --privileged drops them): run it with --privileged, or on the host, or in the Vagrant VM\n");
        assertThat(r.exit()).isEqualTo(125);
    }

    /** bin/barco-java, the build's own fork in a container: a secret of the build's environment stays on the host. */
    @Test
    void barcoJavaWithholdsSecretLookingVariablesFromTheFork() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "barco-java-it");
        try {
            Files.writeString(
                    dir.resolve("Env.java"),
                    "public class Env { public static void main(String[] a) {"
                            + " for (String n : a) System.out.println(n + \"=\" + System.getenv(n)); } }");
            Path barcoJava = Path.of("..", "bin", "barco-java").toAbsolutePath().normalize();
            ProcessBuilder builder = new ProcessBuilder(
                            barcoJava.toString(),
                            "Env.java",
                            "GITHUB_TOKEN",
                            "AWS_SECRET_ACCESS_KEY",
                            "NPM_AUTH",
                            "PLAIN_VAR")
                    .directory(dir.toFile());
            builder.environment()
                    .putAll(java.util.Map.of(
                            "GITHUB_TOKEN",
                            "ghp_x",
                            "AWS_SECRET_ACCESS_KEY",
                            "aws_x",
                            "NPM_AUTH",
                            "npm_x",
                            "PLAIN_VAR",
                            "plain",
                            "BARCO_PASS_ENV",
                            "NPM_*"));
            Run r = run(builder);
            assertThat(r.stdout())
                    .isEqualTo("GITHUB_TOKEN=null\nAWS_SECRET_ACCESS_KEY=null\nNPM_AUTH=npm_x\nPLAIN_VAR=plain\n");
            assertThat(r.stderr())
                    .contains("withheld from the fork", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY")
                    .doesNotContain("NPM_AUTH");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void notRootIsOneClearLine() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(command("-c", "/bin/true"));
        Run r = run(cmd);
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.stderr()).startsWith("barco: barco must run as root").hasLineCount(1);
    }

    @Test
    void helpAndVersion() throws Exception {
        Run help = barco("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stdout())
                .contains("-u, --uid=UID")
                .contains("-m, --mnt=DIR")
                .contains("-c, --cmd=PROGRAM")
                .contains("-a, --arg=NAME")
                .contains("-v, --verbosity");
        Run version = barco("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.stdout()).startsWith("barco 0.1.0");
    }

    @Test
    void theSeedsDemoIsAnInteractiveShellOnATerminal() throws Exception {
        // script(1) gives barco a pseudo-terminal, as a user's terminal would
        String cli = String.join(" ", command("-u", "0", "-m", "/", "-c", "/bin/sh", "-a", "."));
        Process p = track(new ProcessBuilder("script", "-qec", cli, "/dev/null")
                .redirectErrorStream(true)
                .start());
        p.getOutputStream()
                .write(("[ -t 0 ] && echo \"tty: $((6*7))\"; echo \"i am a container on $(hostname)\"\n"
                                + "echo \"name: $(tty)\"\nexit\n")
                        .getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
                .contains("tty: 42")
                .contains("i am a container on barcontainer")
                .contains("# ");
        // its own /dev/pts holds only ptmx: the terminal it shares is its /dev/console, where tty(1) finds it
        assertThat(out).contains("name: /dev/console").doesNotContain("not a tty");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void theJvmGetsTheTerminalBackWhenTheContainerEnds() throws Exception {
        String probe =
                String.join(" ", "java", "-cp", System.getProperty("java.class.path"), ForegroundProbe.class.getName());
        Process p = track(new ProcessBuilder("script", "-qec", probe, "/dev/null")
                .redirectErrorStream(true)
                .start());
        Thread.sleep(1500); // let the container come and go before the line arrives
        p.getOutputStream().write("typed later\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        boolean ended = p.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the probe ended; output so far: %s", out).isTrue();
        assertThat(out).contains("container: exited with 0").contains("read: typed later");
    }
}
