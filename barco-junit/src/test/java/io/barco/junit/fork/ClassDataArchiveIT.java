package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.BarcoRuntime;
import io.barco.junit.buildjvm.BuildJUnit;
import io.barco.junit.buildjvm.ForkedClasspath;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The class data archive is one this JDK maps, with the fork's classpath and options and nothing
 * else: a JVM started as a fork is, with {@code -Xshare:on} (which refuses to start rather than run
 * without it), loads JUnit's classes from it, and says nothing about it on stderr. Run on JDK 17 and,
 * in CI, on Temurin 25, which refused the dynamic archive barco made before.
 */
class ClassDataArchiveIT {

    /** What the fork runs: a class of the archived jars, loaded as a test would load it. */
    public static void main(String[] args) throws Exception {
        System.out.println("loaded "
                + Class.forName("org.junit.platform.commons.util.StringUtils").getName());
    }

    @Test
    void aForkMapsTheArchiveAndLoadsTheJarsClassesFromIt() throws Exception {
        BarcoRuntime runtime = BarcoRuntime.defaults();
        ForkedClasspath classpath = new ForkedClasspath.Cache()
                .forFork(BuildJUnit.classpath(System.getProperty("java.class.path")), List.of());
        assertThat(classpath.archivedJars()).as("the jars an archive may cover").isNotEmpty();

        ClassDataArchive archive = ClassDataArchive.forClasspath(new ClassDataArchive.Checks(runtime), classpath, true);
        assertThat(archive.jvmOptions())
                .as("an archive was written or found, and verified")
                .isNotEmpty();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(archive.jvmOptions());
        args.addAll(List.of(
                "-Xshare:on",
                "-Xlog:class+load=info:stdout",
                "-cp",
                classpath.classpath(),
                ClassDataArchiveIT.class.getName()));
        ContainerSpec.Builder builder = InBarcoSettings.defaults()
                .spec(java)
                .args(args)
                .stdin(Stdio.DISCARD)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.PIPE)
                .env("HOME", "/tmp");
        classpath.mounts().forEach(builder::mount);
        archive.mounts().forEach(builder::mount);
        ContainerResult result = runtime.run(builder.build());

        assertThat(result.succeeded()).as("%s: %s", result, result.stderr()).isTrue();
        assertThat(result.stderr()).isEmpty();
        assertThat(result.stdout())
                .contains("loaded org.junit.platform.commons.util.StringUtils")
                .containsPattern("org\\.junit\\.platform\\.commons\\.util\\.StringUtils source: shared objects file");
    }
}
