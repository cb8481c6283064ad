package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.spec.Mount;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step that makes several calls names the one that failed, from the helper to the exception's message. */
@RequiresContainers
class FailedCallIT {
    @Test
    void bindingHostsOverADirectoryNamesTheMount(@TempDir Path dir) throws Exception {
        // a tiny root whose /etc/hosts is a directory: the helper finds it (access), then cannot bind the file on it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : new String[] {"usr", "proc", "sys", "dev", "tmp", "run", "etc/hosts"}) {
            Files.createDirectories(dir.resolve(d));
        }
        assertThatThrownBy(() -> Sh.run(Sh.spec("true")
                        .mount(Mount.bind(Path.of("/usr"), "/usr", true))
                        .rootfs(dir)))
                .isInstanceOf(LaunchException.class)
                .hasMessageStartingWith("bind /etc/hosts: mount --bind ")
                .hasMessageEndingWith("/etc/hosts: Not a directory")
                .extracting(e -> ((LaunchException) e).step())
                .isEqualTo("bind /etc/hosts");
    }
}
