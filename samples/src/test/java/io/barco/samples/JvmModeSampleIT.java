package io.barco.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.junit.InBarco;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * JVM mode: each test method runs in a JVM forked inside its own container. Plain JUnit and AssertJ;
 * only the annotation is barco's.
 */
@SmallSandbox
class JvmModeSampleIT {

    @Test
    void runsInsideAContainer() throws IOException {
        assertThat(InetAddress.getLocalHost().getHostName()).isEqualTo("barcontainer");
        assertThat(ProcessHandle.current().pid())
                .as("the test JVM is PID 1 of its container")
                .isEqualTo(1);
    }

    @Test
    void theHostsRootIsReadOnly() {
        assertThatThrownBy(() -> Files.writeString(Path.of("/etc/barco-was-here"), "x"))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("Read-only file system");
    }

    @Test
    void thereIsNoNetworkButLoopback() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertThat(client.isConnected()).isTrue();
        }
        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("192.0.2.1", 80), 1000))
                .hasMessageContaining("Network is unreachable");
    }

    @Test
    @InBarco(uid = 1000)
    void aNonRootUserHasNoCapabilities() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        assertThat(status)
                .contains("CapEff:\t0000000000000000")
                .contains("NoNewPrivs:\t1")
                .contains("Seccomp:\t2");
        assertThatThrownBy(() -> Files.readString(Path.of("/root/.profile"))).isInstanceOf(AccessDeniedException.class);
    }

    @Test
    void theJvmSeesTheContainersLimits() {
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L << 20);
    }
}
