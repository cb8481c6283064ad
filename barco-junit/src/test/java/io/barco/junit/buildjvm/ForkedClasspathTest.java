package io.barco.junit.buildjvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.spec.Mount;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkedClasspathTest {

    @Test
    void entriesUnderAClosedDirectoryAreBoundAndRewritten(@TempDir Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path open = Files.createDirectories(dir.resolve("open/classes"));
        Path closed = Files.createDirectories(dir.resolve("home"));
        Path repo = Files.createDirectories(closed.resolve(".m2/repository/lib"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Path jarA = Files.createFile(repo.resolve("a.jar"));
        Path jarB = Files.createFile(repo.resolve("b.jar"));

        // as if nothing were shadowed: @TempDir lies under /tmp
        ForkedClasspath cp = ForkedClasspath.of(
                String.join(File.pathSeparator, open.toString(), jarA.toString(), jarB.toString()),
                java.util.List.of());

        assertThat(cp.classpath().split(File.pathSeparator))
                .containsExactly(
                        open.toString(),
                        "/tmp/.barco-classpath/0-.m2/repository/lib/a.jar",
                        "/tmp/.barco-classpath/0-.m2/repository/lib/b.jar");
        assertThat(cp.mounts())
                .containsExactly(Mount.bindAsContainerRoot(closed.resolve(".m2"), "/tmp/.barco-classpath/0-.m2"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aManifestOnlyJarIsReplacedByWhatItNames(@TempDir Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lib = Files.createFile(dir.resolve("lib.jar"));
        Path classes = Files.createDirectories(dir.resolve("test classes"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, lib.toUri() + " " + classes.toUri());
        Path booter = dir.resolve("surefirebooter.jar");
        try (OutputStream out = Files.newOutputStream(booter);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        ForkedClasspath cp = ForkedClasspath.of(booter.toString());
        assertThat(cp.classpath().split(File.pathSeparator)).containsExactly(lib.toString(), classes.toString());
        // @TempDir lies under /tmp, which the container gets fresh: bound in at its own path
        Path top = ForkedClasspath.underShadowedDirectory(dir, ForkedClasspath.SHADOWED);
        assertThat(cp.mounts()).containsExactly(Mount.bind(top, top.toString(), true));
    }
}
