package io.barco.junit.buildjvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build's {@code -javaagent:} options as the forked JVM gets them: each agent's jar at the path the
 * container sees it at, and a JaCoCo agent's output redirected into the fork's result directory. The
 * rootfs is read-only, so JaCoCo could not write its {@code destfile} in the build's output directory;
 * instead it writes into the result directory, and the host appends what it wrote, as untrusted data
 * checked to be JaCoCo's and capped, to the {@code destfile} the build named (JaCoCo's execution data
 * is a sequence of sessions: appending is how JaCoCo itself adds a run to an existing file).
 */
public record JavaAgents(List<String> options, Map<String, Path> outputs) {
    private static final String PREFIX = "-javaagent:";

    /** The agents' jars, on the host, resolved against the build's working directory. */
    public static List<Path> jars(List<String> jvmOptions, Path workingDirectory) {
        List<Path> jars = new ArrayList<>();
        for (String option : jvmOptions) {
            if (option.startsWith(PREFIX)) {
                jars.add(workingDirectory.resolve(jarOf(option)).normalize());
            }
        }
        return jars;
    }

    /**
     * @param jarsInside each agent jar's path inside the container, as {@link #jars} listed them
     * @param resultDirInside where the fork's result directory is inside
     */
    public static JavaAgents forFork(
            List<String> jvmOptions, Path workingDirectory, Map<Path, String> jarsInside, String resultDirInside) {
        List<String> options = new ArrayList<>();
        Map<String, Path> outputs = new LinkedHashMap<>();
        for (String option : jvmOptions) {
            if (!option.startsWith(PREFIX)) {
                options.add(option);
                continue;
            }
            Path jar = workingDirectory.resolve(jarOf(option)).normalize();
            String inside = jarsInside.getOrDefault(jar, jar.toString());
            String arguments = option.length() > PREFIX.length() + jarOf(option).length()
                    ? option.substring(PREFIX.length() + jarOf(option).length() + 1)
                    : null;
            if (jar.getFileName().toString().contains("jacoco") && writesToFile(arguments)) {
                String name = "agent-" + outputs.size() + ".exec";
                outputs.put(name, workingDirectory.resolve(destfile(arguments)).normalize());
                arguments = withDestfile(arguments, resultDirInside + "/" + name);
            }
            options.add(PREFIX + inside + (arguments == null ? "" : "=" + arguments));
        }
        return new JavaAgents(List.copyOf(options), Map.copyOf(outputs));
    }

    private static String jarOf(String option) {
        String rest = option.substring(PREFIX.length());
        int equals = rest.indexOf('=');
        return equals < 0 ? rest : rest.substring(0, equals);
    }

    /** JaCoCo writes a file unless told {@code output=tcpserver}, {@code tcpclient} or {@code none}. */
    private static boolean writesToFile(String arguments) {
        String output = option(arguments, "output");
        return output == null || output.equals("file");
    }

    private static String destfile(String arguments) {
        String destfile = option(arguments, "destfile");
        return destfile == null ? "jacoco.exec" : destfile; // JaCoCo's default, in the working directory
    }

    private static String option(String arguments, String name) {
        if (arguments == null) {
            return null;
        }
        for (String pair : arguments.split(",")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static String withDestfile(String arguments, String destfile) {
        List<String> pairs = new ArrayList<>();
        if (arguments != null) {
            for (String pair : arguments.split(",")) {
                if (!pair.startsWith("destfile=") && !pair.startsWith("append=")) {
                    pairs.add(pair);
                }
            }
        }
        pairs.add("destfile=" + destfile);
        pairs.add("append=false");
        return String.join(",", pairs);
    }
}
