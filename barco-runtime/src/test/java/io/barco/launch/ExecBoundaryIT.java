package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.BarcoException;
import io.barco.BarcoRuntime;
import io.barco.cgroup.Cgroups;
import io.barco.seccomp.SeccompCompiler;
import io.barco.seccomp.SeccompProfile;
import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Limits;
import io.barco.spec.Stdio;
import io.barco.sys.LinuxHost;
import io.barco.testing.RequiresContainers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The exec path against a container that attacks it. Each exec's helper joins the container and
 * clones a child into its PID namespace that holds barco's status pipe until its execve. The
 * attacker here is as strong as a user can make one: container root with CAP_SYS_PTRACE given back
 * and a seccomp profile that allows ptrace, pidfd_getfd and process_vm_*; it predicts the pid of
 * each exec's child (pids of a namespace are handed out in order) and races for its descriptors.
 */
@RequiresContainers
class ExecBoundaryIT {
    /** Guesses the next pid, takes a pidfd of it, and while it is still barco's helper tries to take fds 3 to 9 and open them through /proc. */
    private static final String THIEF = """
            import ctypes, os, sys, time
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            pidfd_open, pidfd_getfd, process_vm_readv = 434, 438, 310
            def newest():
                return max(int(p) for p in os.listdir('/proc') if p.isdigit())
            guess, tries, caught, stolen, read_mem = newest() + 1, 0, 0, [], 0
            def host_side(target, how):
                # By the time a descriptor is taken the child may have exec'd its program, whose loader
                # opens its libraries as fd 3: those are files of the container's, and its own. The
                # helper's descriptors are pipes, memfds and pidfds.
                if not target.startswith('/') or target.startswith('/memfd:'):
                    stolen.append('%s=%s' % (how, target))
            end = time.time() + float(sys.argv[1])
            buf = ctypes.create_string_buffer(8)
            iov = (ctypes.c_void_p * 2)(ctypes.cast(buf, ctypes.c_void_p), 8)
            while time.time() < end and not os.path.exists('/tmp/stop'):
                pfd = libc.syscall(pidfd_open, guess, 0)
                if pfd < 0:
                    tries += 1
                    if tries % 2000 == 0 and newest() > guess:
                        guess = newest() + 1
                    continue
                tries = 0
                try:
                    comm = open('/proc/%d/comm' % guess).read().strip()
                except OSError:
                    comm = ''
                if comm.startswith('barco-helper'):
                    caught += 1
                    for fd in range(3, 10):
                        got = libc.syscall(pidfd_getfd, pfd, fd, 0)
                        if got >= 0:
                            host_side(os.readlink('/proc/self/fd/%d' % got), 'pidfd_getfd %d' % fd)
                            os.close(got)
                        try:
                            host_side(os.readlink('/proc/%d/fd/%d' % (guess, fd)), '/proc/%d/fd/%d' % (guess, fd))
                        except OSError:
                            pass
                    if libc.syscall(process_vm_readv, guess, iov, 1, iov, 1, 0) >= 0:
                        read_mem += 1
                os.close(pfd)
                guess += 1
            print('caught %d stolen %d read %d %s' % (caught, len(stolen), read_mem, ' '.join(stolen[:5])), flush=True)
            """;

    private static ContainerSpec.Builder attackable() {
        return ContainerSpec.builder("unused")
                .limits(Limits.NONE.withPids(512))
                .addCapabilities(Capability.SYS_PTRACE)
                .seccomp(SeccompProfile.defaults()
                        .without("ptrace", "pidfd_getfd", "process_vm_readv", "process_vm_writev", "kcmp"));
    }

    @Test
    void aProcessInTheContainerGetsNoHostDescriptorFromTenThousandExecs() throws Exception {
        try (RunningContainer c = BarcoRuntime.defaults().start(attackable().build())) {
            Container thief = c.start(ExecSpec.builder("python3")
                    .args("-c", THIEF, "600")
                    .stdout(Stdio.PIPE)
                    .build());
            Thread.sleep(300); // python is up and guessing
            int execs = Integer.getInteger("barco.execBoundary.execs", 10_000);
            for (int i = 0; i < execs; i++) {
                ContainerResult r = c.exec("/bin/true");
                assertThat(r.succeeded()).as("exec %d: %s", i, r).isTrue();
            }
            assertThat(c.exec("touch", "/tmp/stop").succeeded()).isTrue();
            String report = new String(thief.stdout().orElseThrow().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(thief.waitFor().succeeded()).as(report).isTrue();
            // the race was run: the thief found execs' children while they were still barco's helper
            assertThat(report).as("%d execs", execs).matches("caught [1-9][0-9]* stolen 0 read 0");
            System.out.println("[ExecBoundaryIT] " + execs + " execs: " + report);
        }
    }

    /** Stops every exec's child it finds before that child's execve: the host must not wait for it forever. */
    private static final String STOPPER = """
            import os, signal, time
            end = time.time() + 120
            while time.time() < end and not os.path.exists('/tmp/stop'):
                for p in os.listdir('/proc'):
                    if p.isdigit():
                        try:
                            if open('/proc/%s/comm' % p).read().startswith('barco-helper'):
                                os.kill(int(p), signal.SIGSTOP)
                        except OSError:
                            pass
            """;

    @Test
    void anExecWhoseChildTheContainerStopsEndsAtTheSetupDeadline() throws Exception {
        Duration deadline = Duration.ofSeconds(3);
        LinuxHost host = new LinuxHost();
        Launcher launcher = new Launcher(
                host,
                new Cgroups(host, Cgroups.parentGroup()),
                new Preflight(host),
                new SeccompCompiler(),
                NativeHelper::path,
                deadline);
        try (RunningContainer c = launcher.start(ContainerSpec.builder("unused")
                .limits(Limits.NONE.withPids(512))
                .build())) {
            Container stopper =
                    c.start(ExecSpec.builder("python3").args("-c", STOPPER).build());
            Thread.sleep(300);
            BarcoException stalled = null;
            long started = System.nanoTime();
            // a /bin/true the stopper stops just after its execve (its comm was still the helper's when
            // the stopper looked: seen under emulation) is the container's own business, bounded by
            // its timeout; what the host must bound itself is a stop before execve
            ExecSpec bounded =
                    ExecSpec.builder("/bin/true").timeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 200 && stalled == null; i++) {
                try {
                    c.exec(bounded);
                } catch (BarcoException e) {
                    stalled = e;
                }
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(stalled).as("no exec was stopped in 200 (%d ms)", tookMs).isNotNull();
            assertThat(stalled).hasMessageStartingWith("the container's setup did not finish within 3s");
            assertThat(tookMs).as("200 execs or fewer, one stalled").isLessThan(deadline.toMillis() + 60_000);
            // the stopped child was killed, and once the stopper is gone the container takes execs again
            stopper.kill();
            stopper.waitFor();
            assertThat(c.exec("/bin/true").succeeded()).isTrue();
        }
    }
}
