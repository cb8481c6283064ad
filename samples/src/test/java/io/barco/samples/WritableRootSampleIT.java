package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import io.barco.launch.ContainerResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A throwaway writable root: the container's root is an overlay on the host's own {@code /}, so a
 * command may write anywhere, /etc included; the host's files never change, and the writes vanish
 * with the container.
 */
@InBarco(writableRoot = true, memory = "256M")
class WritableRootSampleIT {

    @Test
    void aCommandWritesToEtcAndTheHostNeverSeesIt(BarcoContainer barco) throws Exception {
        byte[] hostsBefore = Files.readAllBytes(Path.of("/etc/hosts"));

        ContainerResult result = barco.exec(
                "sh",
                "-c",
                "echo '10.1.2.3 db.sample.test' >> /etc/hosts"
                        + " && echo 'greeting=hello' > /etc/sample.conf && getent hosts db.sample.test && cat /etc/sample.conf");

        assertThat(result).succeeded().stdoutIsEqualTo("10.1.2.3        db.sample.test\ngreeting=hello\n");
        // later commands of the same container see the writes
        assertThat(barco.exec("cat", "/etc/sample.conf")).succeeded().stdoutIsEqualTo("greeting=hello\n");
        // the host's files are as they were
        assertThat(Files.readAllBytes(Path.of("/etc/hosts"))).isEqualTo(hostsBefore);
        assertThat(Path.of("/etc/sample.conf")).doesNotExist();
    }

    @Test
    void aTestInItsOwnJvmWritesToEtcToo() throws Exception {
        // no BarcoContainer parameter: the test itself runs in a forked JVM in the container
        Files.writeString(Path.of("/etc/sample-jvm.conf"), "written by the fork");
        assertThat(Files.readString(Path.of("/etc/sample-jvm.conf"))).isEqualTo("written by the fork");
        assertThat(java.net.InetAddress.getLocalHost().getHostName()).isEqualTo("barcontainer");
    }
}
