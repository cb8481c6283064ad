package io.barco.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/barco-java's translation, now in Java: the CLI options a test JVM's fork gets, without launching anything. */
class JavaForkTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    /** A JDK of executable bin/java, a project directory and barco-java, all in the temp directory. */
    private Path jdk() throws Exception {
        Path java = Files.createDirectories(tmp.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tmp.resolve("jdk").toRealPath();
    }

    @Test
    void theJavaHomesJavaRunsWithTheSecretsWithheldAndTheBasedirOverlaid() throws Exception {
        Path jdk = jdk();
        Path project = Files.createDirectories(tmp.resolve("project")).toRealPath();
        Map<String, String> env = Map.of(
                "JAVA_HOME",
                jdk.toString(),
                "GITHUB_TOKEN",
                "t",
                "NPM_AUTH",
                "n",
                "PLAIN",
                "p",
                "BARCO_PASS_ENV",
                "NPM_*",
                "BARCO_MEMORY",
                "2G",
                "HOME",
                tmp.resolve("nohome").toString());
        List<String> opts =
                JavaFork.options(Path.of("/nowhere/bin/barco-java"), List.of("-cp", ".", "Main"), env, project, err);
        assertThat(opts).containsSequence("--memory", "2G", "--pids", "4096", "-w", project.toString());
        assertThat(opts)
                .containsSequence("-e", "PLAIN")
                .containsSequence("-e", "NPM_AUTH")
                .doesNotContain("GITHUB_TOKEN");
        assertThat(opts).containsSequence("--bind", project + ":" + project + ":overlay");
        assertThat(opts).containsSequence("--network", "none");
        assertThat(opts.subList(opts.size() - 6, opts.size()))
                .containsExactly("-c", jdk + "/bin/java", "--", "-cp", ".", "Main");
        assertThat(errBytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("barco-java: withheld from the fork, as they look like secrets: "
                        + "GITHUB_TOKEN (BARCO_PASS_ENV=NAME,... passes them)\n");
    }

    @Test
    void aJavaHomeThatLeadsToBarcoJavaItselfIsNoJavaToRun() throws Exception {
        Path self = Files.createDirectories(tmp.resolve("barco/bin")).resolve("barco-java");
        Files.writeString(self, "#!/bin/sh\n");
        Files.setPosixFilePermissions(self, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path shim = Files.createDirectories(tmp.resolve("shim/bin"));
        Files.createSymbolicLink(shim.resolve("java"), self);
        Map<String, String> env = Map.of(
                "JAVA_HOME",
                tmp.resolve("shim").toString(),
                "PATH",
                tmp.resolve("empty").toString());
        assertThatThrownBy(() -> JavaFork.options(self, List.of("-version"), env, tmp, err))
                .isInstanceOf(JavaFork.Refused.class)
                .hasMessageStartingWith("barco-java: no java to run: 'none on PATH'");
        // with a real java on PATH, the fork's JAVA_HOME inside is that java's home, not the shim
        Path jdk = jdk();
        Map<String, String> withPath = Map.of(
                "JAVA_HOME",
                tmp.resolve("shim").toString(),
                "PATH",
                jdk.resolve("bin").toString());
        assertThat(JavaFork.options(self, List.of("-version"), withPath, tmp, err))
                .containsSequence("-e", "JAVA_HOME=" + jdk);
    }

    @Test
    void aJavaHomeMarkedAsBarcosWhoseJavaIsTheServicesClientIsNoJavaToRunEither() throws Exception {
        Path self = Files.createDirectories(tmp.resolve("barco/bin")).resolve("barco-java");
        Files.writeString(self, "#!/bin/sh\n");
        Path client = Files.createDirectories(tmp.resolve("barco/barco-runtime/target"))
                .resolve("barco-client");
        Files.writeString(client, "\177ELF");
        for (Path program : List.of(self, client)) {
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path shim = Files.createDirectories(tmp.resolve("shim/bin"));
        Files.createSymbolicLink(shim.resolve("java"), client);
        Files.writeString(tmp.resolve("shim").resolve(JavaFork.JDK_MARKER), self + "\n");
        Path jdk = jdk();
        Map<String, String> env = Map.of(
                "JAVA_HOME",
                tmp.resolve("shim").toString(),
                "PATH",
                jdk.resolve("bin").toString());

        List<String> opts = JavaFork.options(self, List.of("-version"), env, tmp, err);

        // the java on PATH runs, not the client the shim's java leads to, and inside JAVA_HOME is its home
        assertThat(opts).containsSequence("-e", "JAVA_HOME=" + jdk);
        assertThat(opts.subList(opts.size() - 4, opts.size()))
                .containsExactly("-c", jdk + "/bin/java", "--", "-version");
        // a relative JAVA_HOME is the fork directory's, for the marker and the java alike
        Map<String, String> relative =
                Map.of("JAVA_HOME", "shim", "PATH", jdk.resolve("bin").toString());
        assertThat(JavaFork.options(self, List.of("-version"), relative, tmp, err))
                .containsSequence("-e", "JAVA_HOME=" + jdk);
    }

    @Test
    void anAgentsDestfileIsMadeAndWrittenThrough() throws Exception {
        Path jdk = jdk();
        Path project = Files.createDirectories(tmp.resolve("project")).toRealPath();
        List<String> opts = JavaFork.options(
                Path.of("/nowhere/barco-java"),
                List.of("-javaagent:/m2/jacoco.jar=destfile=target/jacoco.exec,append=true", "Main"),
                Map.of("BARCO_JAVA", jdk + "/bin/java"),
                project,
                err);
        Path exec = project.resolve("target/jacoco.exec");
        assertThat(exec).exists();
        assertThat(opts).containsSequence("--bind", exec + ":" + exec + ":rw,idmap");
    }

    @Test
    void globsAreTheShells() {
        assertThat(io.barco.spec.SecretNames.glob("NPM_*").matcher("NPM_TOKEN").matches())
                .isTrue();
        assertThat(io.barco.spec.SecretNames.glob("A?C").matcher("ABC").matches())
                .isTrue();
        assertThat(io.barco.spec.SecretNames.glob("[AB]_KEY").matcher("B_KEY").matches())
                .isTrue();
        assertThat(io.barco.spec.SecretNames.glob("X.Y").matcher("XZY").matches())
                .isFalse();
    }
}
