package io.barco.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import io.barco.cgroup.ResourceUsage;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.spec.Size;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage page as a person sees it: real containers' usage on a page, opened in headless
 * Chromium (Debian's package), whose DOM must hold the charts and the figures; a screenshot is
 * left in target/usage-page.png (docs/usage-page.png is one).
 */
class UsagePageBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void theUsagePageShowsItsChartsAndFiguresInABrowser(@TempDir Path dir) throws Exception {
        String problem = io.barco.BarcoRuntime.defaults().hostProblem();
        boolean required = "1".equals(System.getenv("BARCO_REQUIRE_PRIVILEGED"));
        if (required && (problem != null || !Files.isExecutable(CHROMIUM))) {
            throw new IllegalStateException(
                    "BARCO_REQUIRE_PRIVILEGED=1 but " + (problem != null ? problem : CHROMIUM + " is missing"));
        }
        Assumptions.assumeTrue(problem == null, () -> "this host cannot run containers: " + problem);
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install chromium");

        List<UsageHtml.Row> rows = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        String[][] runs = {
            {"AllocatesTest#forty", "x = bytearray(40 << 20)", "128M"},
            {"AllocatesTest#ten", "x = bytearray(10 << 20)", "128M"},
            {"HogTest#overItsLimit", "x = bytearray(256 << 20)", "64M"}
        };
        for (String[] run : runs) {
            ContainerResult r = Barco.run(ContainerSpec.builder("python3")
                    .args("-c", run[1])
                    .limits(Limits.NONE.withMemory(run[2]).withPids(64))
                    .build());
            ResourceUsage u = r.usage();
            rows.add(new UsageHtml.Row(
                    run[0],
                    "cgroup",
                    System.currentTimeMillis() - t0,
                    u.wallTime().toMillis(),
                    u.peakMemoryBytes().orElse(-1),
                    u.cpuTotal().map(d -> d.toMillis()).orElse(-1L),
                    u.peakTasks().orElse(-1),
                    u.oomKills(),
                    Size.parse(run[2])));
        }
        Path page = dir.resolve("usage.html");
        Files.writeString(page, UsageHtml.page("barco usage", rows), StandardCharsets.UTF_8);

        String dom = chromium(dir, "--dump-dom", page.toUri().toString());
        assertThat(dom).contains("<svg id=\"memory\"", "<svg id=\"cpu\"", "<svg id=\"timeline\"");
        for (UsageHtml.Row row : rows) {
            assertThat(dom).contains(row.name() + "</text>", Size.human(row.peakMemoryBytes()));
        }
        assertThat(dom)
                .contains("<tr class=\"oom\"><td>HogTest#overItsLimit</td>")
                .contains("1 OOM kills");

        Path shot = Path.of("target", "usage-page.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        chromium(
                dir,
                "--screenshot=" + shot,
                "--window-size=1100,900",
                page.toUri().toString());
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    /** Debian's Chromium, headless, with nothing to fetch from the network, in a profile of its own. */
    private static String chromium(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(new File(dir.resolve("chromium.log").toString()))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium ended").isTrue();
        assertThat(p.exitValue())
                .as(Files.readString(dir.resolve("chromium.log")))
                .isZero();
        return out;
    }
}
