package io.barco.launch;

import static io.barco.testing.Processes.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.Barco;
import io.barco.seccomp.SeccompProfile;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Limits;
import io.barco.spec.Size;
import io.barco.sys.ProcFiles;
import io.barco.testing.RequiresContainers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Containers that run until closed, and commands exec'd into them, checked from inside and from the host. */
@RequiresContainers
class RunningContainerIT {
    private static final String SERVE = "python3 -m http.server --bind 127.0.0.1 8000";
    private static final String FETCH = "import urllib.request,sys;"
            + "print(urllib.request.urlopen('http://127.0.0.1:8000/etc/hostname', timeout=5).status)";

    private static ContainerSpec.Builder spec() {
        return ContainerSpec.builder("unused").limits(Limits.SEED);
    }

    @Test
    void serverStartedInTheContainerIsReachedByAnExecOnLoopback() throws Exception {
        try (RunningContainer c = Barco.start(spec().build())) {
            Container server = c.start(ExecSpec.builder("python3")
                    .args("-m", "http.server", "--bind", "127.0.0.1", "8000")
                    .workdir("/")
                    .build());
            ContainerResult fetched = null;
            for (int i = 0; i < 100; i++) {
                fetched = c.exec("python3", "-c", FETCH);
                if (fetched.succeeded()) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(fetched.stdout().trim())
                    .as(fetched + " " + fetched.stderr())
                    .isEqualTo("200");
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void hostPortCarriesAnHttpRequestFromTheHostIntoTheIsolatedNetwork() throws Exception {
        int port;
        try (RunningContainer c = Barco.start(spec().build())) {
            c.start(ExecSpec.builder("python3")
                    .args("-m", "http.server", "--bind", "127.0.0.1", "8000")
                    .workdir("/etc")
                    .build());
            port = c.hostPort(8000);
            assertThat(c.hostPort(8000)).as("one forwarder per port").isEqualTo(port);
            String body = null;
            IOException last = null;
            // the server's start takes its time on a slow machine (the emulated VM of vagrant/run-in-vm.sh): up to 60 s
            for (int i = 0; i < 1200 && body == null; i++) {
                try (java.io.InputStream in = new java.net.URL("http://127.0.0.1:" + port + "/hostname").openStream()) {
                    body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                } catch (IOException notYet) {
                    last = notYet;
                    Thread.sleep(50);
                }
            }
            assertThat(body)
                    .as(
                            "last failure: %s; in the container: %s",
                            last, c.exec("sh", "-c", "cat /proc/net/tcp /proc/net/tcp6; ls -l /proc/1/ns/net"))
                    .isEqualTo(Files.readString(Path.of("/etc/hostname")));
            // the server is on the container's loopback only: the host's own has nothing on 8000 of ours
            assertThat(c.exec("sh", "-c", "cat /proc/net/tcp | grep -c ':1F40 00000000:0000 0A'")
                            .stdout()
                            .trim())
                    .isEqualTo("1");
        }
        int closedPort = port;
        assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", closedPort).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void listeningSeesAServerInTheContainersNetworkOnly() throws Exception {
        try (RunningContainer c = Barco.start(spec().build())) {
            assertThat(c.listening(8000)).isFalse();
            c.start("python3", "-m", "http.server", "--bind", "127.0.0.1", "8000");
            // python's server starts in milliseconds here, in seconds under an emulated CPU (the v2 VM)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!c.listening(8000) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(c.listening(8000)).isTrue();
            assertThat(c.listening(8001)).isFalse();
        }
    }

    @Test
    void copyIntoAndOutTreatWhatComesOutAsUntrusted(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "from the host\n");
        try (RunningContainer c = Barco.start(spec().build())) {
            c.copyInto(in, "/tmp/copied.txt");
            assertThat(c.exec("cat", "/tmp/copied.txt").stdout()).isEqualTo("from the host\n");
            assertThat(c.copyOut("/tmp/copied.txt", dir.resolve("out.txt"), 1024))
                    .isEqualTo(14);
            assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("from the host\n");
            // an existing host file is neither overwritten nor followed when it is a link
            Path link = dir.resolve("link");
            Files.createSymbolicLink(link, in);
            assertThatThrownBy(() -> c.copyOut("/tmp/copied.txt", link, 1024))
                    .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
            assertThat(Files.readString(in)).isEqualTo("from the host\n");
            assertThat(link).isSymbolicLink(); // still there: copyOut removes only what it created
            Path existing = dir.resolve("existing");
            Files.writeString(existing, "the user's own");
            assertThatThrownBy(() -> c.copyOut("/no/such/file", existing, 1024))
                    .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
            assertThatThrownBy(() -> c.copyOut("/tmp/copied.txt", existing, 1024))
                    .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
            assertThat(existing).hasContent("the user's own");
            // a container's link leads to the container's own file, read with its own rights
            c.exec("ln", "-s", "/etc/shadow", "/tmp/shadow");
            assertThatThrownBy(() -> c.copyOut("/tmp/shadow", dir.resolve("shadow"), 1 << 20))
                    .hasMessageContaining("Permission denied");
            assertThat(dir.resolve("shadow")).doesNotExist();
            // past the cap: refused whole
            assertThatThrownBy(() -> c.copyOut("/dev/zero", dir.resolve("zero"), 1 << 20))
                    .isInstanceOf(io.barco.sys.UntrustedFiles.RefusedFileException.class)
                    .hasMessageContaining("1048576 bytes");
            assertThat(dir.resolve("zero")).doesNotExist();
            assertThatThrownBy(() -> c.copyInto(in, "/etc/not-writable")).hasMessageContaining("Read-only file system");
        }
    }

    @Test
    void execSeesTheContainersHostnamePidNamespaceLimitsAndSeccompFilter() throws Exception {
        ContainerSpec spec = spec().hostname("exec-test")
                .limits(Limits.NONE.withMemory(Size.parse("64M")).withPids(32))
                .seccomp(SeccompProfile.defaults().deny("mkdir"))
                .build();
        try (RunningContainer c = Barco.start(spec)) {
            String initPidNs = Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/pid"))
                    .toString();
            String initNetNs = Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/net"))
                    .toString();
            ContainerResult r = c.exec(
                    "sh",
                    "-c",
                    "hostname; echo $$; cat /proc/1/comm; readlink /proc/self/ns/pid;"
                            + " readlink /proc/self/ns/net;"
                            // the container's limits as it sees them: cgroup v1's files, or v2's (the VM of
                            // vagrant/run-in-vm.sh)
                            + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;"
                            + " cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max;"
                            + " grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\\t'; mkdir /tmp/d 2>&1; echo mkdir=$?;"
                            + " pwd; id -u; ls -l /proc/self/fd | grep -c -- '->'");
            assertThat(r.succeeded()).as(r + r.stderr()).isTrue();
            String[] lines = r.stdout().split("\n");
            assertThat(lines[0]).isEqualTo("exec-test");
            assertThat(Integer.parseInt(lines[1])).isGreaterThan(1).isLessThan(20);
            assertThat(lines[2]).startsWith("barco-helper");
            assertThat(lines[3]).isEqualTo(initPidNs);
            assertThat(lines[4]).isEqualTo(initNetNs);
            assertThat(lines[5]).isEqualTo(Long.toString(64 << 20));
            assertThat(lines[6]).isEqualTo("32");
            assertThat(lines[7]).isEqualTo("NoNewPrivs:1");
            assertThat(lines[8]).isEqualTo("Seccomp:2");
            assertThat(lines[9]).contains("Operation not permitted");
            assertThat(lines[10]).isEqualTo("mkdir=1");
            assertThat(lines[11]).isEqualTo("/");
            assertThat(lines[12]).isEqualTo("0");
            // stdin, stdout, stderr and the descriptor ls opened to list them: nothing of the host
            assertThat(Integer.parseInt(lines[13])).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void eachExecHasItsOwnGroupBelowTheContainersAndItsOwnUsage() throws Exception {
        try (RunningContainer c = Barco.start(spec().build())) {
            ContainerResult r = c.exec("sh", "-c", "cat /proc/self/cgroup | grep -E ':memory:|:pids:|^0::'");
            if (r.stdout().startsWith("0::")) {
                // cgroup v2: one hierarchy, the exec's group below the container's (its namespace root)
                assertThat(r.stdout()).containsPattern("^0::/exec-\\d+\n");
            } else {
                assertThat(r.stdout()).containsPattern(":memory:/exec-\\d+\n").containsPattern(":pids:/exec-\\d+\n");
            }
            ContainerResult busy = c.exec("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done");
            assertThat(busy.usage().cpuTotal().orElseThrow()).isGreaterThan(Duration.ofMillis(20));
            assertThat(busy.usage().peakMemoryBytes()).isPresent();
            // v1: the exec's pids group; v2, where an exec's group has no controllers: sampled from cgroup.threads
            ContainerResult three = c.exec("sh", "-c", "sleep 0.5 & sleep 0.5 & wait");
            assertThat(three.usage().peakTasks().orElse(0))
                    .as(three.usage().toString())
                    .isGreaterThanOrEqualTo(3);
            assertThat(c.exec("/bin/true").usage().peakTasks().orElse(0)).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void anExecOverTheContainersMemoryLimitIsOomKilledAndSaysSoAndTheContainerRunsOn() throws Exception {
        try (RunningContainer c = Barco.start(
                spec().limits(Limits.NONE.withMemory(Size.parse("64M"))).build())) {
            ContainerResult hog = c.exec("python3", "-c", "x = b'x' * (256 << 20)");
            assertThat(hog.oomKilled()).as(hog.toString()).isTrue();
            assertThat(hog.exitCode()).isEqualTo(137);
            assertThat(c.isAlive()).isTrue();
            assertThat(c.exec("echo", "after").stdout()).isEqualTo("after\n");
        }
    }

    @Test
    void whatAnExecLeavesRunningDiesWithIt() throws Exception {
        try (RunningContainer c = Barco.start(spec().build())) {
            ContainerResult r = c.exec("sh", "-c", "sleep 100 & echo $!");
            String pid = r.stdout().trim();
            ContainerResult check = c.exec("sh", "-c", "kill -0 " + pid + " 2>/dev/null && echo alive || echo gone");
            assertThat(check.stdout().trim()).isEqualTo("gone");
        }
    }

    @Test
    void failuresAndTimeoutsOfExecsLeaveTheContainerUsable() throws Exception {
        try (RunningContainer c = Barco.start(spec().build())) {
            assertThatThrownBy(() -> c.exec("/no/such/program")).isInstanceOf(CommandNotFoundException.class);
            assertThatThrownBy(() -> c.exec(
                            ExecSpec.builder("true").workdir("/no/such/dir").build()))
                    .isInstanceOf(LaunchException.class);
            ContainerResult slow = c.exec(ExecSpec.builder("sleep")
                    .args("30")
                    .timeout(Duration.ofMillis(200))
                    .build());
            assertThat(slow.timedOut()).isTrue();
            assertThat(c.exec("echo", "still here").stdout()).isEqualTo("still here\n");
        }
    }

    @Test
    void nothingIsLeftAfterClose() throws Exception {
        List<Path> groups;
        int initPid;
        int serverPid;
        try (RunningContainer c = Barco.start(spec().build())) {
            initPid = c.pid();
            groups = groupsOf(initPid);
            Container server = c.start("sleep", "300");
            serverPid = server.pid();
            assertThat(groupsOf(serverPid))
                    .isNotEmpty()
                    .allMatch(g -> g.getFileName().toString().matches("exec-\\d+"));
        }
        assertThat(groups).isNotEmpty().noneMatch(Files::exists);
        // nor the helper made ahead of time for the next exec
        assertThat(ProcessHandle.current()
                        .children()
                        .filter(p -> p.info().command().orElse("").contains("barco-helper")))
                .isEmpty();
        assertThat(running(initPid)).isFalse();
        assertThat(running(serverPid)).isFalse();
        assertThatThrownBy(() -> {
                    RunningContainer closed = Barco.start(spec().build());
                    closed.close();
                    closed.exec("true");
                })
                .hasMessageContaining("was closed");
    }

    @Test
    void theContainerDiesWithItsJvmAndItsGroupsAreCollected() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process launcher = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), Starter.class.getName())
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the starter's report").startsWith("pids ");
        String[] pids = line.substring(5).trim().split(" ");
        int initPid = Integer.parseInt(pids[0]);
        int execPid = Integer.parseInt(pids[1]);
        List<Path> groups = groupsOf(initPid);
        groups.addAll(groupsOf(execPid));
        assertThat(groups).isNotEmpty();
        launcher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        // init watches its JVM: the container ends without anyone collecting it
        for (int i = 0; i < 200 && (running(initPid) || running(execPid)); i++) {
            Thread.sleep(20);
        }
        assertThat(running(initPid)).isFalse();
        assertThat(running(execPid)).isFalse();
        io.barco.BarcoRuntime.defaults().collectGarbage();
        assertThat(groups).noneMatch(Files::exists);
    }

    /** Starts a container with a long exec in it, prints their pids, and waits to be killed. */
    public static final class Starter {
        public static void main(String[] args) throws Exception {
            RunningContainer c = Barco.start(spec().build());
            Container sleeper = c.start("sleep", "300");
            System.out.println("pids " + c.pid() + " " + sleeper.pid());
            System.out.flush();
            Thread.sleep(300_000);
        }
    }

    /** The process's barco groups on the host, in every v1 hierarchy or v2. */
    static List<Path> groupsOf(int pid) throws IOException {
        List<Path> groups = new ArrayList<>();
        for (String line : ProcFiles.read(Path.of("/proc/" + pid + "/cgroup")).split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && parts[2].contains("/barco-")) {
                String controllers = parts[1];
                Path root = controllers.isEmpty()
                        ? Path.of("/sys/fs/cgroup")
                        : Path.of("/sys/fs/cgroup", controllers.replace("name=", ""));
                if (Files.isDirectory(root.resolve(parts[2].substring(1)))) {
                    groups.add(root.resolve(parts[2].substring(1)));
                }
            }
        }
        return groups;
    }
}
