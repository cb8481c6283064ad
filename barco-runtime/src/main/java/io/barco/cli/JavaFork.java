package io.barco.cli;

import io.barco.spec.SecretNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * bin/barco-java's translation, in Java: a test JVM's arguments, environment and working directory
 * (as the build gave them to {@code java}) to the barco CLI's options for its container, which the
 * CLI's own parser then reads. {@code barco java-fork BARCO-JAVA ARG...} runs it in the CLI, and the
 * launch service runs it for each fork, so the policy is written once: which java, which variables
 * pass (secret-looking ones stay), what is bound and how, each -javaagent's destfile written through,
 * the network of a TCP fork channel. bin/barco-java documents what the fork sees.
 */
final class JavaFork {
    static final String COMMAND = "java-fork";
    /** The file that marks a JDK directory bin/barco-java --jdk made: its java is barco's, not one to run. */
    static final String JDK_MARKER = "barco-jdk";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** A fork that cannot be run: the line barco-java prints, exit status 125. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private JavaFork() {}

    /**
     * The CLI's argv for the fork: {@code self} is bin/barco-java (a JAVA_HOME whose java leads to it
     * is barco-java's JDK directory, not a java to run), {@code args} java's arguments, {@code env}
     * the fork's environment, {@code cwd} its working directory; notices go to {@code err}.
     */
    static List<String> options(Path self, List<String> args, Map<String, String> env, Path cwd, PrintStream err) {
        Function<String, String> var = name -> {
            String value = env.get(name);
            return value == null || value.isEmpty() ? null : value;
        };
        Path selfReal = real(self);
        // a relative JAVA_HOME is taken against the fork's directory, for its marker and its java alike
        Path givenHome = var.apply("JAVA_HOME") == null ? null : cwd.resolve(var.apply("JAVA_HOME"));
        Path homeJava = givenHome == null ? null : real(givenHome.resolve("bin").resolve("java"));
        // barco's JDK directory (bin/barco-java --jdk), whose java leads here or to the service's client
        if (givenHome != null && Files.exists(givenHome.resolve(JDK_MARKER))) {
            homeJava = selfReal;
        }
        Path java;
        if (var.apply("BARCO_JAVA") != null) {
            java = cwd.resolve(var.apply("BARCO_JAVA"));
        } else if (homeJava != null && !homeJava.equals(selfReal)) {
            java = homeJava;
        } else {
            java = onPath("java", var.apply("PATH"), cwd);
        }
        if (java != null && Files.isExecutable(java)) {
            java = real(java);
        }
        if (java == null || !Files.isExecutable(java) || Files.isDirectory(java) || java.equals(selfReal)) {
            throw new Refused("barco-java: no java to run: '" + (java == null ? "none on PATH" : java)
                    + "' is not one (BARCO_JAVA='"
                    + env.getOrDefault("BARCO_JAVA", "") + "', JAVA_HOME='" + env.getOrDefault("JAVA_HOME", "")
                    + "'): set JAVA_HOME or BARCO_JAVA to a JDK's");
        }
        Path javaHome = java.getParent().getParent();
        Path workdir = real(cwd);
        String work = workdir.toString();

        List<String> opts = new ArrayList<>(List.of(
                "--memory",
                or(var.apply("BARCO_MEMORY"), "max"),
                "--pids",
                or(var.apply("BARCO_PIDS"), "4096"),
                "-w",
                work));
        if (var.apply("BARCO_CPUS") != null) {
            opts.addAll(List.of("--cpus", var.apply("BARCO_CPUS")));
        }
        if (var.apply("BARCO_TIMEOUT") != null) {
            opts.addAll(List.of("--timeout", var.apply("BARCO_TIMEOUT")));
        }

        // The fork's environment as the build gave it; secret-looking variables stay on the host
        // unless BARCO_PASS_ENV names them (names or glob patterns, comma-separated).
        List<Pattern> passed = new ArrayList<>();
        for (String pattern : env.getOrDefault("BARCO_PASS_ENV", "").split(",")) {
            if (!pattern.isEmpty()) {
                passed.add(SecretNames.glob(pattern));
            }
        }
        List<String> withheld = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (!NAME.matcher(name).matches()) {
                continue;
            }
            if (SecretNames.secretLooking(name) && !SecretNames.passed(name, passed)) {
                withheld.add(name);
                continue;
            }
            opts.addAll(List.of("-e", name));
        }
        if (!withheld.isEmpty()) {
            err.println("barco-java: withheld from the fork, as they look like secrets: " + String.join(" ", withheld)
                    + " (BARCO_PASS_ENV=NAME,... passes them)");
        }
        if (homeJava != null && homeJava.equals(selfReal)) {
            opts.addAll(List.of(
                    "-e", "JAVA_HOME=" + javaHome)); // Surefire gives a fork its jvm's home: inside, the real one
        }

        // What must be visible: the basedir (through a throwaway overlay), the JDK, the build tools'
        // caches and BARCO_JAVA_READ (read-only), at their own paths.
        String home = or(var.apply("HOME"), "/root");
        List<Path> wanted = new ArrayList<>(List.of(javaHome));
        List<String> candidates = new ArrayList<>(List.of(home + "/.m2", home + "/.gradle"));
        candidates.addAll(Arrays.asList(env.getOrDefault("BARCO_JAVA_READ", "").split(":")));
        for (String d : candidates) {
            if (!d.isEmpty() && Files.isDirectory(cwd.resolve(d))) {
                wanted.add(real(cwd.resolve(d)));
            }
        }
        if (!work.equals("/")) {
            wanted.add(0, workdir);
        }
        Set<String> hidden = new LinkedHashSet<>();
        for (Path path : wanted) {
            String p = path.toString();
            if ((p + "/").startsWith(work + "/") && !p.equals(work)) {
                continue;
            }
            boolean overlay = p.equals(work);
            // the highest directory above it that others may not enter: hidden by a tmpfs, and the
            // path bound back in; a path under open directories needs a bind only if others may read it not
            String closed = null;
            for (Path up = path.getParent(); up != null && up.getParent() != null; up = up.getParent()) {
                if ((mode(up) & 1) == 0) {
                    closed = up.toString();
                }
            }
            if (closed != null) {
                if (hidden.add(closed)) {
                    opts.addAll(List.of("--tmpfs", closed));
                }
            } else if (!overlay && (mode(path) & 5) == 5) {
                continue;
            }
            opts.addAll(List.of("--bind", p + ":" + p + ":" + (overlay ? "overlay" : "ro,idmap")));
        }

        // Each -javaagent's destfile (JaCoCo's jacoco.exec), written through at its own path; made
        // on the host first, as a bind needs its source.
        for (String arg : args) {
            if (arg.startsWith("-javaagent:") && arg.contains("destfile=")) {
                String dest = arg.substring(arg.indexOf("destfile=") + "destfile=".length());
                int comma = dest.indexOf(',');
                Path file = workdir.resolve(comma >= 0 ? dest.substring(0, comma) : dest);
                try {
                    Files.createDirectories(file.getParent());
                    if (!Files.exists(file)) {
                        Files.createFile(file);
                    }
                } catch (IOException e) {
                    throw new Refused("barco-java: cannot create the agent's destfile " + file + ": " + e);
                }
                String real = real(file).toString();
                opts.addAll(List.of("--bind", real + ":" + real + ":rw,idmap"));
            }
        }

        // A TCP forkNode (SurefireForkNodeFactory) has the fork connect to the build's port on the
        // host's loopback, which a network of its own cannot reach: such a fork shares the host's.
        String network = or(var.apply("BARCO_NETWORK"), "none");
        if (network.equals("none")) {
            Path dir = null;
            for (String arg : args) {
                if (arg.endsWith("/surefire") && Files.isDirectory(cwd.resolve(arg))) {
                    dir = cwd.resolve(arg);
                }
                if (dir != null
                        && !arg.contains("/")
                        && !arg.isEmpty()
                        && Files.isRegularFile(dir.resolve(arg))
                        && tcpChannel(dir.resolve(arg))) {
                    err.println(
                            "barco-java: this fork talks to the build over TCP (Surefire's SurefireForkNodeFactory forkNode): it shares"
                                    + " the host's network; Surefire's default fork channel keeps a network of its own");
                    network = "host";
                }
            }
        }
        opts.addAll(List.of("--network", network));

        for (String more : env.getOrDefault("BARCO_JAVA_OPTS", "").split("[ \t\n]+")) {
            if (!more.isEmpty()) {
                opts.add(more);
            }
        }
        opts.addAll(List.of("-c", java.toString(), "--"));
        opts.addAll(args);
        return opts;
    }

    private static String or(String value, String otherwise) {
        return value == null ? otherwise : value;
    }

    /** As readlink -f: the path with every link resolved; as it is where it does not exist. */
    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    /** The permission bits of a directory (following links), or 0 where it cannot be seen. */
    private static int mode(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static Path onPath(String program, String path, Path cwd) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = cwd.resolve(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean tcpChannel(Path properties) {
        try {
            return Files.readAllLines(properties, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                    .anyMatch(line -> line.startsWith("forkNodeConnectionString=tcp"));
        } catch (IOException e) {
            return false;
        }
    }
}
