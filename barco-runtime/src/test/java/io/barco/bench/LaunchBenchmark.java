package io.barco.bench;

import io.barco.Barco;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.spec.Stdio;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Launch-to-exit of /bin/true from one warm JVM, side by side: a plain ProcessBuilder spawn,
 * unshare(1), bubblewrap, and barco with full isolation, then barco again from a JVM with a 4 GB
 * heap of which 2 GB is touched. Prints p50/p90/p99. A benchmark, not a test: run bench/launch.sh.
 */
public final class LaunchBenchmark {
    private static final int WARMUP = 50;

    private LaunchBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 300;
        if (Arrays.asList(args).contains("--big-heap-child")) {
            touchTwoGigabytes();
            print("barco, JVM with 4 GB heap (2 GB touched)", measure(runs, barco(Limits.NONE)));
            return;
        }
        System.out.printf(
                "launch to exit of /bin/true, %d runs after %d warm-up runs, from one JVM (%s, %d CPUs)%n",
                runs, WARMUP, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-44s %9s %9s %9s%n", "", "p50", "p90", "p99");
        print("plain ProcessBuilder spawn", measure(runs, spawn("/bin/true")));
        optional("unshare -mpfnuiC /bin/true", runs, "unshare", "-mpfnuiC", "/bin/true");
        optional(
                "bwrap --unshare-all (ro / , proc, dev)",
                runs,
                "bwrap",
                "--ro-bind",
                "/",
                "/",
                "--unshare-all",
                "--die-with-parent",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "/bin/true");
        print("barco, full isolation (seccomp, caps, netns)", measure(runs, barco(Limits.NONE)));
        print("barco, and the seed's limits (1G, 256, 64)", measure(runs, barco(Limits.SEED)));
        bigHeapChild(runs);
    }

    private static Callable<Integer> barco(Limits limits) {
        ContainerSpec spec = ContainerSpec.builder("/bin/true")
                .stdio(Stdio.DISCARD)
                .limits(limits)
                .build();
        return () -> {
            ContainerResult result = Barco.run(spec);
            if (!result.succeeded()) {
                throw new IllegalStateException("barco run failed: " + result);
            }
            return result.exitCode();
        };
    }

    private static Callable<Integer> spawn(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        return () -> {
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
            }
            return exit;
        };
    }

    private static void optional(String name, int runs, String... command) throws Exception {
        boolean installed = Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command[0])));
        if (!installed) {
            System.out.printf("%-44s (%s is not installed)%n", name, command[0]);
            return;
        }
        print(name, measure(runs, spawn(command)));
    }

    private static long[] measure(int runs, Callable<Integer> launch) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            launch.call();
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            launch.call();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void print(String name, long[] sorted) {
        System.out.printf(
                "%-44s %6.2f ms %6.2f ms %6.2f ms%n",
                name, percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99));
    }

    /** The p-th percentile of sorted nanoseconds, in milliseconds. */
    static double percentile(long[] sorted, int p) {
        int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static final List<byte[]> HELD = new ArrayList<>();

    private static void touchTwoGigabytes() {
        for (int i = 0; i < 32; i++) {
            byte[] chunk = new byte[64 << 20];
            for (int page = 0; page < chunk.length; page += 4096) {
                chunk[page] = 1;
            }
            HELD.add(chunk);
        }
    }

    private static void bigHeapChild(int runs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-Xms4g",
                        "-Xmx4g",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LaunchBenchmark.class.getName(),
                        Integer.toString(runs),
                        "--big-heap-child")
                .inheritIO()
                .start();
        if (child.waitFor() != 0) {
            throw new IllegalStateException("the 4 GB heap run failed");
        }
    }
}
