package io.barco.junit.buildjvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildJvmTest {
    private static final Path MODULE = Path.of("/work/project/module");

    private static BuildJvm of(List<String> arguments, Map<String, String> properties, Map<String, String> env) {
        Properties props = new Properties();
        props.putAll(properties);
        return BuildJvm.of(arguments, props, env, MODULE);
    }

    @Test
    void keepsTheBuildsOptionsButNotTheDebuggerNorClassDataSharing() {
        BuildJvm jvm = of(
                List.of(
                        "-Xmx2g",
                        "-XX:+UseG1GC",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "-Dfrom.argline=1",
                        "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                        "-Xshare:auto",
                        "-XX:SharedArchiveFile=/x.jsa",
                        "-Djava.io.tmpdir=/var/tmp",
                        "-javaagent:/agents/jacoco.jar=destfile=target/jacoco.exec"),
                Map.of(),
                Map.of());
        assertThat(jvm.jvmOptions())
                .containsExactly(
                        "-Xmx2g",
                        "-XX:+UseG1GC",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "-Dfrom.argline=1",
                        "-javaagent:/agents/jacoco.jar=destfile=target/jacoco.exec");
        assertThat(jvm.choosesGc()).isTrue();
        assertThat(jvm.maxHeap()).hasValue("2g");
        assertThat(jvm.choosesCompilation()).isFalse();
    }

    @Test
    void passesTheBuildsPropertiesButNotThoseTheJvmSetsForItself() {
        BuildJvm jvm = of(
                List.of(),
                Map.of(
                        "my.property",
                        "from systemPropertyVariables",
                        "basedir",
                        "/work/project/module",
                        "java.version",
                        "17",
                        "sun.boot.library.path",
                        "/x",
                        "os.name",
                        "Linux",
                        "user.dir",
                        "/work/project/module",
                        "user.home",
                        "/root",
                        "file.encoding",
                        "UTF-8",
                        "user.timezone",
                        "Europe/Paris",
                        "barco.forked",
                        "true"),
                Map.of());
        assertThat(jvm.systemProperties()).containsOnlyKeys("my.property", "basedir", "file.encoding", "user.timezone");
    }

    @Test
    void passesTheEnvironmentButNotWhatPointsAtTheHostsSessions() {
        BuildJvm jvm = of(
                List.of(),
                Map.of(),
                Map.of(
                        "PATH",
                        "/usr/bin",
                        "LANG",
                        "C.UTF-8",
                        "CI",
                        "true",
                        "JAVA_TOOL_OPTIONS",
                        "-Xmx1g",
                        "SSH_AUTH_SOCK",
                        "/tmp/ssh-x/agent",
                        "HOME",
                        "/root",
                        "PWD",
                        "/somewhere"));
        assertThat(jvm.environment())
                .containsEntry("PATH", "/usr/bin")
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("CI", "true")
                .containsEntry("HOME", "/tmp")
                .containsEntry("PWD", MODULE.toString())
                .doesNotContainKeys("JAVA_TOOL_OPTIONS", "SSH_AUTH_SOCK");
    }

    @Test
    void aJacocoAgentWritesIntoTheResultDirectoryAndItsJarIsSeenWhereTheContainerHasIt() {
        List<String> options = List.of(
                "-Xmx1g",
                "-javaagent:/root/.m2/jacoco/org.jacoco.agent-runtime.jar=destfile=target/jacoco.exec,append=true,includes=com.x.*",
                "-javaagent:lib/other-agent.jar");
        List<Path> jars = JavaAgents.jars(options, MODULE);
        assertThat(jars)
                .containsExactly(
                        Path.of("/root/.m2/jacoco/org.jacoco.agent-runtime.jar"),
                        MODULE.resolve("lib/other-agent.jar"));
        JavaAgents agents = JavaAgents.forFork(
                options,
                MODULE,
                Map.of(jars.get(0), "/tmp/.barco-classpath/0-.m2/jacoco/org.jacoco.agent-runtime.jar"),
                "/tmp/.barco-result");
        assertThat(agents.options())
                .containsExactly(
                        "-Xmx1g",
                        "-javaagent:/tmp/.barco-classpath/0-.m2/jacoco/org.jacoco.agent-runtime.jar=includes=com.x.*,destfile=/tmp/.barco-result/agent-0.exec,append=false",
                        "-javaagent:" + MODULE.resolve("lib/other-agent.jar"));
        assertThat(agents.outputs()).containsExactly(Map.entry("agent-0.exec", MODULE.resolve("target/jacoco.exec")));
    }

    @Test
    void aJacocoAgentWithoutDestfileWritesJacocoExecInTheWorkingDirectory() {
        JavaAgents agents = JavaAgents.forFork(List.of("-javaagent:/a/jacocoagent.jar"), MODULE, Map.of(), "/r");
        assertThat(agents.outputs()).containsExactly(Map.entry("agent-0.exec", MODULE.resolve("jacoco.exec")));
        assertThat(JavaAgents.forFork(List.of("-javaagent:/a/jacocoagent.jar=output=tcpserver"), MODULE, Map.of(), "/r")
                        .outputs())
                .isEmpty();
    }

    @Test
    void theCollectorThisJvmRunsWithIsKnown() {
        assertThat(BuildJvm.runningGc())
                .hasValueSatisfying(option -> assertThat(option).matches("-XX:\\+Use\\w+GC"));
        assertThat(BuildJvm.choosesGc(List.of("-Xmx1g", "-XX:+UseParallelGC"))).isTrue();
        assertThat(BuildJvm.choosesGc(List.of("-Xmx1g"))).isFalse();
    }
}
