package io.barco.bench;

import io.barco.Barco;
import io.barco.image.ImageStore;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import io.barco.sys.UntrustedFiles;
import io.barco.testing.OciImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Images, in one run: the first unpack of a small image (the tests' busybox image, two gzip layers)
 * into a fresh cache, its first pull from a local registry (Debian's docker-registry, if installed),
 * a second resolve of it from the cache, then launch to exit of {@code busybox
 * true} from the cached image beside the same from a host directory holding the same files. Prints
 * figures, asserts nothing. A benchmark, not a test: run bench/images.sh.
 */
public final class ImageBenchmark {
    private static final int WARMUP = 30;

    private ImageBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path work = Files.createTempDirectory(
                Files.createDirectories(Path.of("barco-runtime/target")).toAbsolutePath(), "image-bench");
        try {
            OciImages image = OciImages.busyboxImage();
            Path layout = image.writeLayout(work.resolve("layout"));
            String ref = "oci:" + layout + ":1";
            long blobBytes =
                    image.layers().stream().mapToLong(l -> l.bytes().length).sum();
            System.out.printf(
                    "images: the busybox image (%d layers, %.1f MB compressed), %s, %d CPUs%n",
                    image.layers().size(),
                    blobBytes / 1e6,
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors());

            long[] unpacks = new long[5];
            ImageStore store = null;
            for (int i = 0; i < unpacks.length; i++) {
                ImageStore fresh = new ImageStore(work.resolve("cache-" + i));
                long t0 = System.nanoTime();
                fresh.resolve(ref);
                unpacks[i] = System.nanoTime() - t0;
                store = fresh;
            }
            Arrays.sort(unpacks);
            System.out.printf(
                    "first unpack into an empty cache (verify + gunzip + untar), 5 fresh caches: p50 %.1f ms, max %.1f ms%n",
                    unpacks[2] / 1e6, unpacks[4] / 1e6);
            pullFigures(image, work);
            ImageStore cached = store;
            long[] resolves = LaunchBenchmarkSupport.measure(runs, () -> {
                cached.resolve(ref);
                return 0;
            });
            System.out.printf(
                    "resolve of the cached image (index, manifest, config read and checked): p50 %.2f ms%n",
                    LaunchBenchmarkSupport.percentile(resolves, 50));

            // the same files in a host directory, as a rootfs
            Path dir = Files.createDirectories(work.resolve("rootfs"));
            for (String d : new String[] {"bin", "etc", "proc", "sys", "dev", "tmp", "run"}) {
                Files.createDirectories(dir.resolve(d));
            }
            Files.copy(Path.of("/bin/busybox"), dir.resolve("bin/busybox"));
            ContainerSpec fromDir = ContainerSpec.builder("/bin/busybox")
                    .args("true")
                    .rootfs(dir)
                    .stdio(Stdio.DISCARD)
                    .build();
            ContainerSpec fromImage = ContainerSpec.builder("/bin/busybox")
                    .args("true")
                    .image(cached.resolve(ref))
                    .stdio(Stdio.DISCARD)
                    .build();
            System.out.printf(
                    "launch to exit of busybox true, %d runs after %d warm-up runs, from one JVM%n", runs, WARMUP);
            System.out.printf("%-52s %9s %9s %9s%n", "", "p50", "p90", "p99");
            print("host directory rootfs (read-only)", measure(runs, run(fromDir)));
            print("cached image, resolved once (read-only)", measure(runs, run(fromImage)));
            print("cached image, resolved per launch (read-only)", measure(runs, () -> {
                ContainerResult r = Barco.run(
                        fromImage.toBuilder().image(cached.resolve(ref)).build());
                return check(r);
            }));
            print(
                    "host directory rootfs, --rw overlay",
                    measure(runs, run(fromDir.toBuilder().writableRoot(true).build())));
            print(
                    "cached image, --rw",
                    measure(runs, run(fromImage.toBuilder().writableRoot(true).build())));
        } finally {
            UntrustedFiles.deleteTree(work);
        }
    }

    /**
     * The first pull of the same image from Debian's docker-registry on 127.0.0.1 (when it is
     * installed), into 5 fresh caches: the download over loopback, the checks and the unpack.
     */
    private static void pullFigures(OciImages image, Path work) throws Exception {
        Path registryBinary = Path.of("/usr/bin/docker-registry");
        if (!Files.isExecutable(registryBinary)) {
            System.out.println("first pull: skipped, no /usr/bin/docker-registry (apt-get install docker-registry)");
            return;
        }
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = work.resolve("registry.yml");
        Files.writeString(
                config,
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
                        + work.resolve("registry") + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        Process registry = new ProcessBuilder(registryBinary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + port);
            for (int i = 0; ; i++) {
                try {
                    image.push(base, "barco/bench", "1");
                    break;
                } catch (java.io.IOException e) {
                    if (i > 100) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
            long[] pulls = new long[5];
            for (int i = 0; i < pulls.length; i++) {
                ImageStore fresh = new ImageStore(work.resolve("pull-cache-" + i));
                long t0 = System.nanoTime();
                fresh.resolve("127.0.0.1:" + port + "/barco/bench:1");
                pulls[i] = System.nanoTime() - t0;
            }
            Arrays.sort(pulls);
            System.out.printf(
                    "first pull from a registry on 127.0.0.1 (download + verify + unpack), 5 fresh caches: p50 %.1f ms, max %.1f ms%n",
                    pulls[2] / 1e6, pulls[4] / 1e6);
        } finally {
            registry.destroy();
            registry.waitFor();
        }
    }

    private static Callable<Integer> run(ContainerSpec spec) {
        return () -> check(Barco.run(spec));
    }

    private static int check(ContainerResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException("launch failed: " + r);
        }
        return r.exitCode();
    }

    private static long[] measure(int runs, Callable<Integer> launch) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            launch.call();
        }
        return LaunchBenchmarkSupport.measure(runs, launch);
    }

    private static void print(String name, long[] sorted) {
        System.out.printf(
                "%-52s %7.2fms %7.2fms %7.2fms%n",
                name,
                LaunchBenchmarkSupport.percentile(sorted, 50),
                LaunchBenchmarkSupport.percentile(sorted, 90),
                LaunchBenchmarkSupport.percentile(sorted, 99));
    }

    /** Timing without a warm-up: sorted nanoseconds of each call. */
    static final class LaunchBenchmarkSupport {
        static long[] measure(int runs, Callable<Integer> call) throws Exception {
            long[] times = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                call.call();
                times[i] = System.nanoTime() - t0;
            }
            Arrays.sort(times);
            return times;
        }

        static double percentile(long[] sorted, int p) {
            return LaunchBenchmark.percentile(sorted, p);
        }
    }
}
