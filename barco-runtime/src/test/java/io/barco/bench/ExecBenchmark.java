package io.barco.bench;

import io.barco.Barco;
import io.barco.launch.ContainerResult;
import io.barco.launch.RunningContainer;
import io.barco.spec.ContainerSpec;
import io.barco.spec.ExecSpec;
import io.barco.spec.Limits;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * /bin/true exec'd into a running container beside a fresh {@code Barco.run} of it, from one warm
 * JVM, interleaved so both see the same machine. Both with the seed's limits and full isolation;
 * both end with their groups removed. Prints p50/p90/p99 and the ratio of the p50s (issue 11's
 * goal: at most 0.5). A benchmark, not a test: run bench/exec.sh.
 */
public final class ExecBenchmark {
    private static final int WARMUP = 50;

    private ExecBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        // both with their defaults: stdout and stderr captured through pipes, stdin /dev/null
        ContainerSpec spec =
                ContainerSpec.builder("/bin/true").limits(Limits.SEED).build();
        ExecSpec exec = ExecSpec.of("/bin/true");
        // stdio other than the defaults: no helper made ahead, the exec joins its cgroup itself
        ExecSpec discarding =
                ExecSpec.builder("/bin/true").stdio(io.barco.spec.Stdio.DISCARD).build();
        try (RunningContainer container = Barco.start(spec)) {
            Callable<ContainerResult> fresh = () -> Barco.run(spec);
            Callable<ContainerResult> inside = () -> container.exec(exec);
            Callable<ContainerResult> insideUnprepared = () -> container.exec(discarding);
            for (int i = 0; i < WARMUP; i++) {
                check(fresh.call());
                check(inside.call());
                check(insideUnprepared.call());
            }
            long[] freshNanos = new long[runs];
            long[] execNanos = new long[runs];
            long[] unpreparedNanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                freshNanos[i] = time(fresh);
                execNanos[i] = time(inside);
                unpreparedNanos[i] = time(insideUnprepared);
            }
            Arrays.sort(freshNanos);
            Arrays.sort(execNanos);
            Arrays.sort(unpreparedNanos);
            System.out.printf(
                    "/bin/true to exit, %d runs each after %d warm-up runs, interleaved, from one JVM (%s, %d CPUs)%n",
                    runs, WARMUP, Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf("%-48s %9s %9s %9s%n", "", "p50", "p90", "p99");
            print("fresh Barco.run (new container, seed's limits)", freshNanos);
            print("exec into a running container (own cgroup)", execNanos);
            print("  the same, helper not made ahead (stdio /dev/null)", unpreparedNanos);
            System.out.printf(
                    "exec p50 / fresh p50 = %.2f%n",
                    LaunchBenchmark.percentile(execNanos, 50) / LaunchBenchmark.percentile(freshNanos, 50));
        }
    }

    private static long time(Callable<ContainerResult> launch) throws Exception {
        long start = System.nanoTime();
        check(launch.call());
        return System.nanoTime() - start;
    }

    private static void check(ContainerResult result) {
        if (!result.succeeded()) {
            throw new IllegalStateException("/bin/true failed: " + result);
        }
    }

    private static void print(String name, long[] sorted) {
        System.out.printf(
                "%-48s %6.2f ms %6.2f ms %6.2f ms%n",
                name,
                LaunchBenchmark.percentile(sorted, 50),
                LaunchBenchmark.percentile(sorted, 90),
                LaunchBenchmark.percentile(sorted, 99));
    }
}
