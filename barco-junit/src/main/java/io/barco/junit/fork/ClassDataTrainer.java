package io.barco.junit.fork;

import java.io.IOException;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The main of the JVM that writes a class data archive: it loads, without initializing, the classes
 * of the classpath's jars below the given package prefixes, and exits; the JVM archives them at exit.
 * Loading runs no code of the classes, so no test code shapes the archive that later test JVMs map.
 * It runs from the boot class path (a jar of its own), so the archive's classpath is the jars alone.
 * Self-contained: JDK classes only, no lambdas or nested classes. Usage: {@code PREFIX...}.
 */
public final class ClassDataTrainer {
    private ClassDataTrainer() {}

    public static void main(String[] prefixes) throws IOException {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        int loaded = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    if (name.endsWith(".class") && !name.contains("-") && startsWithAny(name, prefixes)) {
                        try {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, app);
                            loaded++;
                        } catch (ClassNotFoundException | LinkageError e) {
                            // an optional dependency is missing: that class is not archived
                        }
                    }
                }
            }
        }
        System.out.println(loaded);
    }

    private static boolean startsWithAny(String name, String[] prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
