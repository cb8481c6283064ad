package io.barco.junit.buildjvm;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JUnit the build's test JVM runs, for the forked JVM to run the same. barco-junit brings no
 * JUnit of its own: the project's is on the test classpath, but the JUnit Platform launcher (and,
 * for a project that declares only junit-jupiter-api, the Jupiter engine and the Platform's engine
 * API) may not be. Surefire and Failsafe then pick them to match the project's JUnit and put them on
 * the JVM's class path, though not in the {@code java.class.path} they show the tests. So the jars
 * those classes came from in this JVM are added after the test classpath when it does not name them.
 */
public final class BuildJUnit {
    /** What the forked JVM's runner needs: the launcher, the engine of the tests it runs and what they stand on. */
    static final List<String> CLASSES = List.of(
            "org.junit.platform.launcher.core.LauncherFactory",
            "org.junit.platform.engine.TestEngine",
            "org.junit.platform.commons.support.AnnotationSupport",
            "org.junit.jupiter.engine.JupiterTestEngine");

    private BuildJUnit() {}

    /** The test classpath with the build's launcher and Jupiter engine, when it lacks them. */
    public static String classpath(String testClasspath) {
        return withJarsOf(testClasspath, CLASSES, BuildJUnit.class.getClassLoader());
    }

    static String withJarsOf(String classpath, List<String> classNames, ClassLoader loader) {
        Set<Path> named = new LinkedHashSet<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                named.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        List<String> added = new ArrayList<>();
        for (String name : classNames) {
            Path jar = locationOf(name, loader);
            if (jar != null && named.add(jar)) {
                added.add(jar.toString());
            }
        }
        if (added.isEmpty()) {
            return classpath;
        }
        return classpath.isEmpty()
                ? String.join(File.pathSeparator, added)
                : classpath + File.pathSeparator + String.join(File.pathSeparator, added);
    }

    /** The jar or directory a class came from in this JVM; null when it is not there, or came from no file. */
    static Path locationOf(String className, ClassLoader loader) {
        try {
            CodeSource source = Class.forName(className, false, loader)
                    .getProtectionDomain()
                    .getCodeSource();
            if (source == null
                    || source.getLocation() == null
                    || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (ClassNotFoundException
                | LinkageError
                | URISyntaxException
                | IllegalArgumentException
                | SecurityException e) {
            return null;
        }
    }
}
