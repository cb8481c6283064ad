package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import io.barco.spec.ContainerSpec;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A throwaway writable root against the real kernel: an overlay over the host's own {@code /}, whose
 * writes the container sees and the host never does. Each test looks only at what it wrote.
 */
@RequiresContainers
class WritableRootIT {
    private String unique;

    @BeforeEach
    void name() {
        unique = "barco-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void removeWhatALeakWouldHaveLeft() throws Exception {
        // nothing should exist; if the overlay leaked, the assertions failed and this cleans up after them
        Files.deleteIfExists(Path.of("/usr", unique));
        Files.deleteIfExists(Path.of("/var/tmp", unique));
        Files.deleteIfExists(Path.of("/etc", unique));
    }

    private static ContainerSpec.Builder writable(String script) {
        return Sh.spec(script).writableRoot(true);
    }

    @Test
    void aWriteToEtcHostsSucceedsInsideAndTheHostsFileIsUnchanged() throws Exception {
        Path hosts = Path.of("/etc/hosts");
        byte[] before = Files.readAllBytes(hosts);
        FileTime mtime = Files.getLastModifiedTime(hosts);

        String out =
                Sh.output(writable("echo '10.9.8.7 " + unique + "' >> /etc/hosts && grep -c " + unique + " /etc/hosts"
                        + " && grep -c '^127.0.0.1.localhost barcontainer$' /etc/hosts && stat -c '%u %g' /etc/hosts"));

        // barco's own lines are there too, and the copy belongs to container root (the lower layer is idmapped)
        assertThat(out).isEqualTo("1\n1\n0 0\n");
        assertThat(Arrays.equals(Files.readAllBytes(hosts), before))
                .as("host's /etc/hosts content")
                .isTrue();
        assertThat(Files.getLastModifiedTime(hosts))
                .as("host's /etc/hosts mtime")
                .isEqualTo(mtime);
    }

    @Test
    void aNewFileInUsrIsSeenInsideAndNeverOnTheHost() throws Exception {
        Path file = Path.of("/usr", unique);
        String out = Sh.output(writable("echo inside > " + file + " && cat " + file + " && rm " + file + " && ls "
                + file + " 2>&1; mkdir -p /usr/" + unique + "-d/a && echo made"));
        assertThat(out)
                .startsWith("inside\n")
                .contains("No such file or directory")
                .endsWith("made\n");
        assertThat(file).doesNotExist();
        assertThat(Path.of("/usr", unique + "-d")).doesNotExist();
    }

    @Test
    void theWritesVanishWithTheContainer() throws Exception {
        Path file = Path.of("/var/tmp", unique);
        Sh.output(writable("echo first > " + file));
        assertThat(Sh.output(writable("cat " + file + " 2>&1 || echo gone"))).endsWith("gone\n");
        assertThat(file).doesNotExist();
    }

    @Test
    void aWriteBeyondTheSizeLimitFailsWithEnospcInsideAndTheContainerGoesOn() throws Exception {
        String out = Sh.output(writable("(head -c 3145728 /dev/zero > /var/tmp/" + unique + ") 2>&1; echo rc=$?;"
                        + " rm -f /var/tmp/" + unique + "; echo small > /etc/" + unique + " && cat /etc/" + unique)
                .rootOverlaySize(2L << 20));
        assertThat(out).contains("No space left on device").contains("rc=1").endsWith("small\n");
        assertThat(Path.of("/var/tmp", unique)).doesNotExist();
        assertThat(Path.of("/etc", unique)).doesNotExist();
    }

    @Test
    void aMountBelowTheHostsRootIsItsOwnOverlayWritableInsideAndUnchangedOnTheHost() throws Exception {
        // overlayfs does not cross mount points: without an overlay of its own, the mount would show as the
        // empty directory below it. This test's own tmpfs on the host, removed after.
        Path mnt = Files.createDirectory(Path.of("/var/tmp", unique + "-mnt"));
        try {
            assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "barco-it", mnt.toString())
                            .start()
                            .waitFor())
                    .isZero();
            try {
                Files.writeString(mnt.resolve("host.txt"), "host");
                String out = Sh.output(
                        writable("cat " + mnt + "/host.txt; echo; echo changed > " + mnt + "/host.txt && cat " + mnt
                                + "/host.txt && touch " + mnt + "/new && rm " + mnt + "/host.txt && ls -A " + mnt));
                assertThat(out).isEqualTo("host\nchanged\nnew\n");
                assertThat(mnt.resolve("host.txt")).hasContent("host");
                assertThat(mnt.resolve("new")).doesNotExist();
            } finally {
                assertThat(new ProcessBuilder("umount", mnt.toString()).start().waitFor())
                        .isZero();
            }
        } finally {
            Files.walk(mnt)
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theSpecsOwnMountsGoOnTopOfTheOverlay() throws Exception {
        Path dir = Files.createTempDirectory("barco-it-bind");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("in.txt"), "from the host");
            String out = Sh.output(writable("cat /data/in.txt; echo; echo x > /etc/" + unique + " && ls /tmp | wc -l;"
                            + " grep -E ' /(data|proc|tmp) ' /proc/self/mounts | cut -d' ' -f2,3 | sort")
                    .bind(dir, "/data", true));
            assertThat(out)
                    .isEqualTo("from the host\n0\n/data ext4\n/proc proc\n/tmp tmpfs\n"
                            .replace("ext4", Files.getFileStore(dir).type()));
        } finally {
            Files.delete(dir.resolve("in.txt"));
            Files.delete(dir);
        }
    }

    @Test
    void aRunningContainerKeepsItsWritesForItsExecsAndDropsThemWhenClosed() throws Exception {
        Path file = Path.of("/var/tmp", unique);
        try (RunningContainer c = Barco.start(
                ContainerSpec.builder("/bin/true").writableRoot(true).build())) {
            assertThat(c.exec("sh", "-c", "echo kept > " + file).succeeded()).isTrue();
            assertThat(c.exec("cat", file.toString()).stdout()).isEqualTo("kept\n");
        }
        assertThat(file).doesNotExist();
    }
}
