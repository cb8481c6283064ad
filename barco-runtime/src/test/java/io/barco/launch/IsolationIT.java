package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.spec.IdMapping;
import io.barco.spec.NetworkMode;
import io.barco.sys.ProcFiles;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Namespaces, ids and hostname, checked from inside real containers. */
@RequiresContainers
class IsolationIT {

    @Test
    void hostnameIsBarcontainerByDefaultAndCanBeSet() throws Exception {
        assertThat(Sh.output("hostname").trim()).isEqualTo("barcontainer");
        assertThat(Sh.output(Sh.spec("hostname").hostname("web-1.test")).trim()).isEqualTo("web-1.test");
        assertThat(ProcFiles.read(Path.of("/proc/sys/kernel/hostname")).trim()).isNotEqualTo("web-1.test");
    }

    @Test
    void commandIsPidOneAndSeesNoHostProcess() throws Exception {
        String out = Sh.output("echo $$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '");
        String[] lines = out.split("\n");
        assertThat(lines[0]).isEqualTo("1");
        // sh itself, the ls and grep of the pipeline, and the rest of the pipeline: no host process
        List<Integer> pids =
                Arrays.stream(lines[1].trim().split(" ")).map(Integer::parseInt).toList();
        assertThat(pids).contains(1).allMatch(pid -> pid < 20);
    }

    @Test
    void containerRootIsHostUid10000ThroughTheSeedsMapping() throws Exception {
        String out = Sh.output("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g");
        assertThat(out.trim().split("\\s+")).containsExactly("0", "10000", "2000", "0", "10000", "2000", "0", "0");
    }

    @Test
    void uidSelectsTheUserAndGroupInside() throws Exception {
        assertThat(Sh.output(Sh.spec("id -u; id -g; id -G").uid(1000)).trim().split("\\s+"))
                .containsExactly("1000", "1000", "1000");
    }

    @Test
    void mappingIsConfigurable() throws Exception {
        String out = Sh.output(Sh.spec("cat /proc/self/uid_map").idMapping(new IdMapping(0, 200000, 65536)));
        assertThat(out.trim().split("\\s+")).containsExactly("0", "200000", "65536");
    }

    @Test
    void hostSeesTheContainerRunAsMappedUid() throws Exception {
        try (Container c = io.barco.Barco.launch(Sh.spec("sleep 30").build())) {
            String status = ProcFiles.read(Path.of("/proc/" + c.pid() + "/status"));
            assertThat(status).containsPattern("Uid:\\s+10000\\s+10000\\s+10000\\s+10000");
            assertThat(status).containsPattern("Gid:\\s+10000\\s+10000\\s+10000\\s+10000");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "mnt", "pid", "uts", "ipc", "net", "cgroup"})
    void everyNamespaceIsNew(String ns) throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
        String inside = Sh.output("readlink /proc/self/ns/" + ns).trim();
        assertThat(inside).startsWith(ns + ":[").isNotEqualTo(host);
    }

    @Test
    void privateNetworkHasOnlyLoopbackAndItIsUp() throws Exception {
        String out = Sh.output("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/flags");
        String[] lines = out.trim().split("\n");
        assertThat(lines[0]).isEqualTo("lo");
        assertThat(lines).hasSize(2);
        long flags = Long.decode(lines[1].trim());
        assertThat(flags & 1).as("IFF_UP in %s", lines[1]).isEqualTo(1);
    }

    @Test
    void loopbackCarriesTrafficAndNothingElseIsReachable() throws Exception {
        String script = "import socket\n"
                + "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
                + "c = socket.create_connection(s.getsockname()); a, _ = s.accept()\n"
                + "c.sendall(b'ping'); print(a.recv(4).decode())\n"
                + "try:\n"
                + "    socket.create_connection(('192.0.2.1', 80), timeout=2); print('reached')\n"
                + "except OSError as e:\n"
                + "    print('unreachable', e.errno)\n";
        String out = Sh.output(io.barco.spec.ContainerSpec.builder("python3").args("-c", script));
        assertThat(out).startsWith("ping\nunreachable 101"); // ENETUNREACH: no route but loopback
    }

    @Test
    void hostNetworkModeSharesTheHostsInterfaces() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        String inside = Sh.output(Sh.spec("readlink /proc/self/ns/net").network(NetworkMode.HOST))
                .trim();
        assertThat(inside).isEqualTo(host);
    }
}
