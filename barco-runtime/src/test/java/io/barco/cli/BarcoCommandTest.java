package io.barco.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.IdMapping;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.RootMode;
import io.barco.spec.Stdio;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flags to spec, without launching anything. */
class BarcoCommandTest {

    private static ContainerSpec spec(String... args) {
        BarcoCommand command = new BarcoCommand(System.err);
        BarcoCommand.parser(command).parseArgs(args);
        return command.spec();
    }

    /** What a named container records, read again by barco exec elsewhere: the same spec. */
    @Test
    void recordedOriginsAreWhereRelativePathsAndBareEnvNamesAreTaken() {
        ContainerSpec spec = spec(
                "--origin-dir",
                "/srv/project",
                "--origin-env",
                "FOO=start=1",
                "--origin-env",
                "TERM=vt100",
                "-m",
                "rootfs",
                "--bind",
                "data:/data",
                "-e",
                "FOO",
                "-e",
                "HOME",
                "-c",
                "x");
        assertThat(spec.rootfs()).isEqualTo(Path.of("/srv/project/rootfs"));
        assertThat(spec.mounts()).contains(io.barco.spec.Mount.bind(Path.of("/srv/project/data"), "/data", false));
        // HOME was not recorded, so it was unset where the container started: not taken from here
        assertThat(spec.env())
                .containsEntry("FOO", "start=1")
                .containsEntry("TERM", "vt100")
                .doesNotContainKey("HOME");
    }

    @Test
    void anAtWordIsTheProgramsArgumentNotAFileOfOptions() {
        assertThat(spec("-c", "cat", "--", "@/etc/hostname").argv()).containsExactly("cat", "@/etc/hostname");
        assertThat(spec("-c", "curl", "--", "-d", "@body.json").argv()).containsExactly("curl", "-d", "@body.json");
    }

    @Test
    void theSeedsCommandLine() {
        ContainerSpec spec = spec("-u", "0", "-m", "/", "-c", "/bin/sh", "-a", ".", "-v");
        assertThat(spec.uid()).isZero();
        assertThat(spec.rootfs()).isEqualTo(Path.of("/"));
        assertThat(spec.command()).isEqualTo("/bin/sh");
        assertThat(spec.argv()).containsExactly(".");
        assertThat(spec.stdin()).isEqualTo(Stdio.INHERIT);
        assertThat(spec.stdout()).isEqualTo(Stdio.INHERIT);
    }

    @Test
    void argumentsAfterDoubleDash() {
        assertThat(spec("-c", "/bin/sh", "--", "-c", "echo hi").argv()).containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void longOptions() {
        ContainerSpec spec = spec(
                "--uid",
                "5",
                "--gid",
                "6",
                "--mnt",
                "/srv",
                "--cmd",
                "x",
                "--hostname",
                "h",
                "--rw",
                "--bind",
                "/a:/b:ro",
                "--tmpfs",
                "/t",
                "--env",
                "A=1",
                "-w",
                "/w",
                "--network",
                "host",
                "--timeout",
                "2m",
                "--cap-add",
                "SYS_ADMIN",
                "--cap-drop",
                "chown,kill",
                "--id-map",
                "0:100000:65536");
        assertThat(spec.uid()).isEqualTo(5);
        assertThat(spec.gid()).isEqualTo(6);
        assertThat(spec.rootfs()).isEqualTo(Path.of("/srv"));
        assertThat(spec.hostname()).isEqualTo("h");
        assertThat(spec.readOnlyRoot()).isFalse();
        assertThat(spec.mounts()).containsExactly(Mount.bind(Path.of("/a"), "/b", true), Mount.tmpfs("/t"));
        assertThat(spec.env()).containsEntry("A", "1");
        assertThat(spec.workdir()).isEqualTo("/w");
        assertThat(spec.network()).isEqualTo(NetworkMode.HOST);
        assertThat(spec.timeout()).contains(Duration.ofMinutes(2));
        assertThat(spec.uidMapping()).isEqualTo(new IdMapping(0, 100000, 65536));
        ContainerSpec root = spec("-c", "x", "--cap-add", "SYS_ADMIN", "--cap-drop", "chown,kill");
        assertThat(root.capabilities())
                .contains(Capability.SYS_ADMIN)
                .doesNotContain(Capability.CHOWN, Capability.KILL);
        assertThat(spec("-c", "x", "--cap-drop", "ALL").capabilities()).isEmpty();
        assertThat(spec("-c", "x", "--cap-add", "kill", "--cap-drop", "ALL").capabilities())
                .containsExactly(Capability.KILL);
    }

    @Test
    void seccompOptions() {
        assertThat(spec("-c", "x", "--no-seccomp").seccomp()).isEmpty();
        assertThat(spec("-c", "x", "--seccomp-deny", "mkdir,rmdir")
                        .seccomp()
                        .orElseThrow()
                        .rules())
                .extracting(r -> r.syscall())
                .endsWith("mkdir", "rmdir");
    }

    @Test
    void badInputIsOneLineAndExit125BeforeAnythingIsCreated() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BarcoCommand.execute(
                new String[] {"--id-map", "0:1", "-c", "x"},
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(125);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("barco: invalid id mapping '0:1': use INSIDE:OUTSIDE:COUNT, e.g. 0:10000:2000 (--id-map)\n");
    }

    @Test
    void rwIsAThrowawayOverlayAndOnlyRwHostRootWritesToTheRootfs() {
        assertThat(spec("-c", "x").rootMode()).isEqualTo(RootMode.READ_ONLY);
        assertThat(spec("-c", "x", "--rw").rootMode()).isEqualTo(RootMode.OVERLAY);
        assertThat(spec("-c", "x", "--rw").rootOverlaySize()).isEqualTo(1L << 30);
        assertThat(spec("-c", "x", "--rw", "--rw-size", "256M").rootOverlaySize())
                .isEqualTo(256L << 20);
        assertThat(spec("-c", "x", "--rw-host-root").rootMode()).isEqualTo(RootMode.WRITE_THROUGH);
    }

    private static String failure(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BarcoCommand.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("bad input").isEqualTo(125);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writableRootFlagsThatContradictEachOtherAreOneLineNamingTheFix() {
        assertThat(failure("--rw", "--rw-host-root", "-c", "x"))
                .isEqualTo(
                        "barco: --rw and --rw-host-root exclude each other: "
                                + "--rw writes to a throwaway overlay, --rw-host-root to the rootfs itself; give one of them\n");
        assertThat(failure("--rw-size", "64M", "-c", "x"))
                .isEqualTo("barco: --rw-size limits the overlay of --rw: add --rw, or drop --rw-size\n");
        assertThat(failure("--rw-host-root", "--rw-size", "64M", "-c", "x"))
                .isEqualTo(
                        "barco: --rw-size limits the overlay of --rw, not --rw-host-root: add --rw, or drop --rw-size\n");
        assertThat(failure("--rw", "--rw-size", "lots", "-c", "x"))
                .isEqualTo(
                        "barco: invalid writable root size 'lots': give at least 1M, such as 256M or 2G (--rw-size)\n");
    }

    @Test
    void theSeedsLimitsByDefaultAndFlagsToChangeThem() {
        assertThat(spec("-c", "x").limits()).isEqualTo(io.barco.spec.Limits.SEED);
        io.barco.spec.Limits limits = spec(
                        "-c", "x", "--memory", "64M", "--cpus", "0.5", "--pids", "max", "--cpu-weight", "max")
                .limits();
        assertThat(limits.memoryLimit()).hasValue(64L << 20);
        assertThat(limits.cpuQuotaMicros()).hasValue(50_000);
        assertThat(limits.pidsLimit()).isEmpty();
        assertThat(limits.cpuWeightLimit()).isEmpty();
        assertThat(spec("-c", "x", "--memory", "max").limits().memoryLimit()).isEmpty();
        assertThat(spec("-c", "x", "--allow-missing-controllers").allowMissingControllers())
                .isTrue();
        assertThatThrownBy(() -> spec("-c", "x", "--pids", "0")).hasMessage("pids limit 0 must be at least 1");
        assertThatThrownBy(() -> spec("-c", "x", "--pids", "lots"))
                .hasMessage("invalid pids 'lots': give a whole number or max");
        assertThatThrownBy(() -> spec("-c", "x", "--memory", "1X")).hasMessageContaining("invalid size '1X'");
        assertThatThrownBy(() -> spec("-c", "x", "--cpu-weight", "20000")).hasMessageContaining("outside 1..10000");
    }

    @Test
    void theHelpShowsTheTablesDefaultsBothSynopsesAndUnbrokenFooterLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = BarcoCommand.execute(
                new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(exit).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help)
                .startsWith("Usage: barco [OPTIONS] -c PROGRAM [-- ARG...]\n"
                        + "       barco [OPTIONS] --image IMAGE [-c PROGRAM] [-- ARG...]\n"
                        + "       barco exec NAME [-e NAME=VALUE] [-w DIR] [-u UID] [--] PROGRAM [ARG...]\n"
                        + "       barco images | barco pull IMAGE | barco rmi IMAGE | barco gc\n");
        // the option column wraps where the terminal ends: compare the words
        assertThat(help.replaceAll("\\s+", " "))
                .contains("memory limit, e.g. 512M, 1G, or max (default: 1G, the seed's)")
                .contains("(default: 256, the seed's)")
                .contains("or max (default: 64, the seed's)")
                .contains("(default: 0:10000:2000)")
                .contains("(default: barcontainer)");
        List<String> footer =
                help.lines().dropWhile(l -> !l.equals("Examples:")).toList();
        assertThat(footer)
                .contains(
                        "  barco gc                            remove what dead launchers left",
                        "  barco exec web -u 1000 -w /tmp -e LANG=C.UTF-8 -- ls -l",
                        "  125    barco failed: bad input, a host that cannot run containers,");
        assertThat(footer).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
    }

    private static ContainerSpec exec(String... args) {
        return ExecCommand.parse(args)
                .spec(java.util.Map.of("FROM_HOST", "h")::get)
                .applyTo(ContainerSpec.builder("/bin/sleep").build());
    }

    @Test
    void execTakesTheMainCommandsEnvWorkdirAndIdsBeforeItsProgramWhoseOwnOptionsStayItsOwn() {
        ContainerSpec spec = exec(
                "web",
                "-e",
                "FOO=bar",
                "--env=A B=1",
                "-e",
                "FROM_HOST",
                "-w",
                "/etc",
                "-u",
                "1000",
                "--gid",
                "5",
                "--",
                "sh",
                "-c",
                "echo $FOO");
        assertThat(spec.env())
                .containsEntry("FOO", "bar")
                .containsEntry("A B", "1")
                .containsEntry("FROM_HOST", "h");
        assertThat(spec.workdir()).isEqualTo("/etc");
        assertThat(spec.uid()).isEqualTo(1000);
        assertThat(spec.gid()).isEqualTo(5);
        assertThat(spec.argv()).containsExactly("sh", "-c", "echo $FOO");
        // as docker exec: options before NAME too; the first word after NAME that is no option starts the program
        ExecCommand dockerOrder = ExecCommand.parse("-u", "1000", "web", "sh", "-c", "-u", "--", "@/etc/hostname");
        assertThat(dockerOrder.name).isEqualTo("web");
        assertThat(dockerOrder.command).containsExactly("sh", "-c", "-u", "--", "@/etc/hostname");
        assertThat(exec("web", "-u", "1000", "id").uid()).isEqualTo(1000);
        assertThat(exec("web", "id").uid()).as("the container's").isZero();
    }

    private static String execFailure(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "exec";
        System.arraycopy(args, 0, argv, 1, args.length);
        return failure(argv);
    }

    /** Each before the container is reached: these need no container, nor root. */
    @Test
    void badExecInputIsOneLineAndExit125() {
        assertThat(execFailure())
                .isEqualTo("barco: usage: barco exec NAME [-e NAME=VALUE] [-w DIR] [-u UID] [--] PROGRAM [ARG...] "
                        + "(see barco --help)\n");
        assertThat(execFailure("web"))
                .isEqualTo("barco: no command to run in web: barco exec web -- PROGRAM [ARG...]\n");
        assertThat(execFailure("web", "-it", "sh"))
                .isEqualTo("barco: unknown option '-it': barco exec takes -e, -w, -u and --gid; "
                        + "the program's own options go after the program (see barco --help)\n");
        assertThat(execFailure("web", "-e"))
                .isEqualTo("barco: Missing required parameter for option '--env' (NAME=VALUE) (see barco --help)\n");
        assertThat(execFailure("web", "-e", "=x", "--", "true"))
                .isEqualTo("barco: invalid environment variable name '': use NAME=VALUE (-e)\n");
        assertThat(execFailure("web", "-w", "srv", "--", "true"))
                .isEqualTo("barco: working directory 'srv' is not absolute: give a path such as /srv (-w)\n");
        assertThat(execFailure("web", "-u", "abc", "--", "true"))
                .isEqualTo("barco: invalid uid 'abc': give a whole number, 0 or more (-u)\n");
        assertThat(execFailure("web", "--gid", "-1", "--", "true"))
                .isEqualTo("barco: invalid gid '-1': give a whole number, 0 or more (--gid)\n");
    }
}
