package io.barco.bench;

import io.barco.Barco;
import io.barco.cli.BarcoCommand;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.spec.Stdio;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak: many launches, some killed at random points; launching JVMs SIGKILLed mid-launch; then
 * what is left before and after `barco gc`; then 16 containers at once for a while. Prints counts and
 * launches/s; exits 1 on any failure or any leftover after gc. A benchmark, not a test: bench/soak.sh.
 *
 * <p>Arguments: WORKDIR LAUNCHES THREADS KILLED JVMS MINUTES.
 */
public final class Soak {
    private static final ContainerSpec TRUE = ContainerSpec.builder("/bin/true")
            .stdio(Stdio.DISCARD)
            .limits(Limits.SEED)
            .build();
    private static final ContainerSpec SLEEP = ContainerSpec.builder("/bin/sleep")
            .args("1")
            .stdio(Stdio.DISCARD)
            .limits(Limits.SEED)
            .build();
    private static final ContainerSpec WORK = ContainerSpec.builder("/bin/sh")
            .args("-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo ok")
            .limits(Limits.SEED)
            .build();

    private final Path work;
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failed = new AtomicInteger();

    private Soak(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int launches = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int killed = Integer.parseInt(args[3]);
        int jvms = Integer.parseInt(args[4]);
        double minutes = Double.parseDouble(args[5]);
        Soak soak = new Soak(work);
        for (int i = 0; i < 20; i++) {
            Barco.run(TRUE); // warm: the JVM opens its jars and libraries once, not as leftovers
        }
        Leftovers leftovers = new Leftovers();
        System.out.printf(
                "soak on %d CPUs, %s; launches %d with %d threads (%d killed), %d launching JVMs killed, "
                        + "16 containers for %s min%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                launches,
                threads,
                killed,
                jvms,
                minutes);
        soak.launches(launches, threads, killed);
        Set<Long> launchers = ConcurrentHashMap.newKeySet();
        Set<Long> containers = ConcurrentHashMap.newKeySet();
        launchers.add(ProcessHandle.current().pid());
        soak.killLaunchingJvms(jvms, launchers, containers);
        Leftovers.Count before = leftovers.count(launchers, containers);
        System.out.println("leftovers before barco gc: " + before);
        int gc = BarcoCommand.execute(
                new String[] {"gc"}, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), System.err);
        Leftovers.Count after = settle(leftovers, launchers, containers);
        System.out.println("barco gc exit " + gc + "; leftovers after barco gc: " + after);
        after.details().stream().limit(20).forEach(d -> System.out.println("  " + d));
        soak.concurrent(16, Duration.ofMillis((long) (minutes * 60_000)));
        Leftovers.Count end = settle(leftovers, launchers, containers);
        System.out.println("leftovers at the end: " + end);
        end.details().stream().limit(20).forEach(d -> System.out.println("  " + d));
        soak.failures.stream().limit(10).forEach(f -> System.out.println("  failure: " + f));
        boolean ok = soak.failed.get() == 0 && gc == 0 && after.total() == 0 && end.total() == 0;
        System.out.println("soak: " + soak.failed.get() + " failures, " + (after.total() + end.total()) + " leftovers: "
                + (ok ? "PASS" : "FAIL"));
        System.exit(ok ? 0 : 1);
    }

    /** Killed containers' processes take a moment to be reaped by init: count again until stable, up to 5 s. */
    private static Leftovers.Count settle(Leftovers leftovers, Set<Long> launchers, Set<Long> containers)
            throws InterruptedException {
        Leftovers.Count count = leftovers.count(launchers, containers);
        for (int i = 0; i < 50 && count.total() > 0; i++) {
            Thread.sleep(100);
            count = leftovers.count(launchers, containers);
        }
        return count;
    }

    private void fail(String what) {
        failed.incrementAndGet();
        failures.add(what);
    }

    /** LAUNCHES launches from THREADS threads; every (LAUNCHES/KILLED)th is killed 0 to 30 ms after it starts. */
    private void launches(int launches, int threads, int killed) throws InterruptedException {
        int every = killed == 0 ? Integer.MAX_VALUE : Math.max(1, launches / killed);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger kills = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < launches; ) {
                    try {
                        if (i % every == 0 && kills.incrementAndGet() <= killed) {
                            try (Container c = Barco.launch(SLEEP)) {
                                long delay = ThreadLocalRandom.current().nextLong(0, 30_000_000);
                                if (delay > 0) {
                                    TimeUnit.NANOSECONDS.sleep(delay);
                                }
                                c.kill();
                                c.waitFor();
                            }
                        } else {
                            ContainerResult r = Barco.run(TRUE);
                            if (!r.succeeded()) {
                                fail("launch " + i + ": " + r);
                            }
                        }
                    } catch (Exception | Error e) {
                        fail("launch " + i + ": " + e);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.DAYS);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "launches: %d (%d killed at random points) in %.1f s: %.1f launches/s, %d failed%n",
                launches, Math.min(killed, kills.get()), seconds, launches / seconds, failed.get());
    }

    /** JVMS launching JVMs, 4 at a time, each SIGKILLed 0 to 600 ms after it said ready, while it launches. */
    private void killLaunchingJvms(int jvms, Set<Long> launchers, Set<Long> containers) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        AtomicInteger next = new AtomicInteger();
        AtomicLong launched = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < jvms; ) {
                    Path err = work.resolve("launcher-" + i + ".err");
                    try {
                        Process p = new ProcessBuilder(
                                        java,
                                        "-XX:TieredStopAtLevel=1",
                                        "-XX:+UseSerialGC",
                                        "-XX:-UsePerfData",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        SoakLauncher.class.getName())
                                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                                .redirectError(err.toFile())
                                .start();
                        launchers.add(p.pid());
                        BufferedReader out =
                                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                        Thread reader = new Thread(() -> {
                            try {
                                for (String line; (line = out.readLine()) != null; ) {
                                    if (line.startsWith("pid ")) {
                                        containers.add(Long.parseLong(line.substring(4)));
                                        launched.incrementAndGet();
                                    }
                                }
                            } catch (java.io.IOException e) {
                                // the JVM was killed
                            }
                        });
                        reader.start();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (containers.isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
                            Thread.sleep(5); // at least one launch of some JVM before the first kill
                        }
                        Thread.sleep(300 + ThreadLocalRandom.current().nextLong(600)); // JVM start, then launches
                        p.destroyForcibly().waitFor();
                        reader.join();
                        out.close();
                        p.getOutputStream().close();
                        String complaints = Files.readString(err).strip();
                        if (!complaints.isEmpty()) {
                            errors.incrementAndGet();
                            fail("launching JVM " + p.pid() + ": "
                                    + complaints.lines().findFirst().orElse(""));
                        }
                        Files.delete(err);
                    } catch (Exception e) {
                        fail("launching JVM " + i + ": " + e);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.DAYS);
        System.out.printf(
                "launching JVMs: %d SIGKILLed while launching, %d containers launched by them, %d complained, in %.1f s%n",
                jvms, launched.get(), errors.get(), (System.nanoTime() - start) / 1e9);
    }

    /** COUNT threads, each running one container after another until DURATION has passed. */
    private void concurrent(int count, Duration duration) throws InterruptedException {
        AtomicLong runs = new AtomicLong();
        int failedBefore = failed.get();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        for (int t = 0; t < count; t++) {
            pool.execute(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        ContainerResult r = Barco.run(WORK);
                        runs.incrementAndGet();
                        if (!r.succeeded() || !r.stdout().equals("ok\n")) {
                            fail("concurrent run: " + r + " " + r.stderr());
                        }
                    } catch (Exception | Error e) {
                        fail("concurrent run: " + e);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.DAYS);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%d containers at once for %.0f s: %d runs, %.1f launches/s, %d failed; host JVM descriptors %d%n",
                count, seconds, runs.get(), runs.get() / seconds, failed.get() - failedBefore, Leftovers.fds());
    }
}
