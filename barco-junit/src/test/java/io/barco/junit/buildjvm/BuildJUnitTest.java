package io.barco.junit.buildjvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildJUnitTest {
    private static final ClassLoader LOADER = BuildJUnitTest.class.getClassLoader();

    @Test
    void theLaunchersJarIsAddedWhenTheTestClasspathLacksIt() {
        Path launcher = BuildJUnit.locationOf("org.junit.platform.launcher.core.LauncherFactory", LOADER);
        assertThat(launcher).as("this JVM's launcher").isNotNull();
        assertThat(launcher.getFileName().toString())
                .startsWith("junit-platform-launcher-")
                .endsWith(".jar");

        String testClasspath = "/build/test-classes" + File.pathSeparator + "/repo/junit-jupiter-api.jar";
        assertThat(BuildJUnit.withJarsOf(
                        testClasspath, List.of("org.junit.platform.launcher.core.LauncherFactory"), LOADER))
                .isEqualTo(testClasspath + File.pathSeparator + launcher);
    }

    @Test
    void aClasspathThatNamesThemIsLeftAsItIs() {
        String classpath = String.join(
                File.pathSeparator,
                BuildJUnit.CLASSES.stream()
                        .map(name -> BuildJUnit.locationOf(name, LOADER).toString())
                        .toList());
        assertThat(BuildJUnit.withJarsOf(classpath, BuildJUnit.CLASSES, LOADER)).isEqualTo(classpath);
        assertThat(BuildJUnit.classpath(classpath)).isEqualTo(classpath);
    }

    @Test
    void aClassThisJvmLacksAddsNothing() {
        assertThat(BuildJUnit.withJarsOf("/a.jar", List.of("org.example.NoSuchEngine"), LOADER))
                .isEqualTo("/a.jar");
        assertThat(BuildJUnit.withJarsOf("", List.of("java.lang.String"), LOADER))
                .as("a class of the JDK comes from no file")
                .isEmpty();
    }
}
