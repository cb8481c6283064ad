package io.barco.junit.report;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.config.BarcoKeys;
import io.barco.junit.settings.InBarcoSettings;
import io.barco.spec.Size;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every containerized test of a run used, where tools and people look for it: a CSV file per run
 * under the build's output directory ({@code target/barco/usage-TIME-PID.csv}: test, peak memory,
 * CPU, peak tasks, OOM kills, wall time), and one summary on the console when the run ends (totals,
 * and the tests that used the most memory and CPU). Per-test lines on the console are for annotated
 * tests; under the whole-suite switch, thousands of them would bury the build's output
 * ({@code barco.usage.console=test|summary|none} chooses).
 */
public final class UsageReport {
    private static final int TOP = 5;
    private final List<Entry> entries = new ArrayList<>();
    /** The memory limit each of the run's settings gives (-1: none), worked out once. */
    final Map<InBarcoSettings, Long> memoryLimits = new HashMap<>();

    private Path file;
    private boolean fileFailed;

    /** What a usage figure measured: the summary adds up the first kind only, so that nothing counts twice. */
    public enum Measure {
        /** A container's or command's own cgroup: a test's container, a command, a class's JVM. */
        CGROUP("cgroup"),
        /** A test's share of its batch JVM, as that JVM measured it: within the JVM's cgroup figures. */
        BATCH_JVM("batch-jvm"),
        /** A class's running container in all: the sum of its commands, and what its init used. */
        CONTAINER_TOTAL("container-total");

        private final String csv;

        Measure(String csv) {
            this.csv = csv;
        }
    }

    /** A test's usage, when it was recorded (System.currentTimeMillis) and the memory limit it ran under (-1: none known). */
    record Entry(String test, ResourceUsage usage, Measure measure, long endMillis, long memoryLimitBytes) {
        Entry(String test, ResourceUsage usage) {
            this(test, usage, Measure.CGROUP, System.currentTimeMillis(), -1);
        }

        Entry(String test, ResourceUsage usage, Measure measure) {
            this(test, usage, measure, System.currentTimeMillis(), -1);
        }

        boolean container() {
            return measure == Measure.CGROUP;
        }
    }

    /** An empty report, for one run: it lives as long as the run does (in the run's store), not the JVM. */
    public UsageReport() {}

    /**
     * Whether this test's usage goes on the console as a line of its own: as {@code barco.usage.console}
     * says, else when the test is annotated ({@code annotated}: its {@code @InBarco} settings, if any).
     */
    public static boolean perTestLine(ExtensionContext context, Optional<InBarcoSettings> annotated) {
        String mode = context.getConfigurationParameter(BarcoKeys.USAGE_CONSOLE).orElse("");
        if (!mode.isEmpty()) {
            return mode.equals("test");
        }
        return annotated.isPresent();
    }

    /**
     * Records a test's usage, and appends it to the run's CSV file.
     *
     * @param annotated the test's {@code @InBarco} settings, unconfigured, if any: the memory limit they give
     */
    public synchronized void record(
            ExtensionContext context, ResourceUsage usage, Measure measure, Optional<InBarcoSettings> annotated) {
        Entry entry = new Entry(
                context.getUniqueId(),
                usage,
                measure,
                System.currentTimeMillis(),
                memoryLimit(annotated, context::getConfigurationParameter));
        entries.add(entry);
        if (fileFailed) {
            return;
        }
        try {
            if (file == null) {
                Path dir = OutputDirectory.base(context);
                if (dir == null) {
                    fileFailed = true; // no output directory to write to: the summary still comes
                    return;
                }
                file = newFile(dir);
                Files.writeString(
                        file,
                        "test,peakMemoryBytes,cpuMillis,peakTasks,oomKills,wallMillis,measuredBy\n",
                        StandardCharsets.UTF_8);
            }
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
                out.write(csv(entry.test()) + "," + usage.peakMemoryBytes().orElse(-1) + ","
                        + usage.cpuTotal().map(d -> d.toMillis()).orElse(-1L) + ","
                        + usage.peakTasks().orElse(-1) + ","
                        + usage.oomKills() + "," + usage.wallTime().toMillis() + "," + measure.csv + "\n");
            }
        } catch (IOException e) {
            fileFailed = true;
            System.err.println("[barco] cannot write the usage file " + file + ": " + e.getMessage());
        }
    }

    /**
     * The memory limit a test's annotated settings give under the parameters, or -1 (none, or not
     * annotated): for the report's "closest to their limit". Worked out once for all the tests of a
     * run whose settings are equal (those of a class, unless a method has an {@code @InBarco} of its
     * own), as their container specs are.
     */
    synchronized long memoryLimit(Optional<InBarcoSettings> annotated, Function<String, Optional<String>> parameters) {
        try {
            return annotated
                    .map(settings -> settings.configuredBy(parameters))
                    .map(settings -> memoryLimits.computeIfAbsent(settings, InBarcoSettings::memoryLimit))
                    .orElse(-1L);
        } catch (RuntimeException e) {
            return -1; // a setting that does not parse was reported where it was used
        }
    }

    /**
     * The run's usage as a page (see {@link UsageHtml}) beside the CSV file, same name but .html;
     * returns it, or empty when there is no CSV file or the page cannot be written (said in one line).
     */
    public synchronized Optional<Path> writeHtml() {
        if (file == null || entries.isEmpty()) {
            return Optional.empty();
        }
        long first = entries.stream()
                .mapToLong(e -> e.endMillis() - e.usage().wallTime().toMillis())
                .min()
                .orElse(0);
        List<UsageHtml.Row> rows = entries.stream()
                .map(e -> new UsageHtml.Row(
                        name(e),
                        e.measure().csv,
                        e.endMillis() - first,
                        e.usage().wallTime().toMillis(),
                        e.usage().peakMemoryBytes().orElse(-1),
                        e.usage().cpuTotal().map(d -> d.toMillis()).orElse(-1L),
                        e.usage().peakTasks().orElse(-1),
                        e.usage().oomKills(),
                        e.memoryLimitBytes()))
                .toList();
        String name = file.getFileName().toString();
        Path html = file.resolveSibling(name.substring(0, name.length() - ".csv".length()) + ".html");
        try {
            Files.writeString(
                    html,
                    UsageHtml.page("barco usage, " + name.substring("usage-".length(), name.length() - 4), rows),
                    StandardCharsets.UTF_8);
            return Optional.of(html);
        } catch (IOException e) {
            System.err.println("[barco] cannot write the usage page " + html + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A new file of this run's own: a JVM may run several runs in one second (a test that runs a plan
     * of its own, say), and each has a report, so a name taken already gets a number.
     */
    private static Path newFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String base = "usage-" + time + "-" + ProcessHandle.current().pid();
        for (int n = 1; ; n++) {
            try {
                return Files.createFile(dir.resolve(base + (n == 1 ? "" : "-" + n) + ".csv"));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another run of this JVM has it: the next number
            }
        }
    }

    private static String csv(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    /** The summary of the run, or empty when no test ran in a container. */
    public synchronized Optional<String> summary() {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        // a container's figures are its cgroup's; a test's share of a batch JVM is within its JVM's, and a
        // class container's total within its commands' and its own: not added twice
        List<Entry> containers = entries.stream().filter(Entry::container).toList();
        long cpu = containers.stream()
                .mapToLong(e -> e.usage().cpuTotal().map(d -> d.toMillis()).orElse(0L))
                .sum();
        long wall = containers.stream()
                .mapToLong(e -> e.usage().wallTime().toMillis())
                .sum();
        long ooms = containers.stream().mapToLong(e -> e.usage().oomKills()).sum();
        long shared =
                entries.stream().filter(e -> e.measure() == Measure.BATCH_JVM).count();
        StringBuilder text = new StringBuilder("[barco] " + containers.size()
                + (containers.size() == 1 ? " container" : " containers")
                + " of tests, commands and JVMs: CPU " + cpu + " ms, wall " + wall + " ms, OOM kills " + ooms
                + (shared > 0 ? "; " + shared + (shared == 1 ? " test" : " tests") + " measured in shared JVMs" : "")
                + (file != null ? "; each test's usage in " + file : "") + "\n");
        text.append("[barco] most memory:");
        entries.stream()
                .filter(e -> e.usage().peakMemoryBytes().isPresent())
                .sorted(Comparator.comparingLong(
                                (Entry e) -> e.usage().peakMemoryBytes().getAsLong())
                        .reversed())
                .limit(TOP)
                .forEach(e -> text.append(' ')
                        .append(name(e))
                        .append('=')
                        .append(Size.human(e.usage().peakMemoryBytes().getAsLong())));
        text.append("\n[barco] most CPU:");
        entries.stream()
                .filter(e -> e.usage().cpuTotal().isPresent())
                .sorted(Comparator.comparingLong(
                                (Entry e) -> e.usage().cpuTotal().get().toMillis())
                        .reversed())
                .limit(TOP)
                .forEach(e -> text.append(' ')
                        .append(name(e))
                        .append('=')
                        .append(e.usage().cpuTotal().get().toMillis())
                        .append("ms"));
        return Optional.of(text.toString());
    }

    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("\\[([a-z-]+):([^\\]]*)\\]");

    /** The test's class, method and invocation from its unique id, short enough for a console line: {@code Foo#bar[2]}. */
    static String name(Entry entry) {
        StringBuilder name = new StringBuilder();
        java.util.regex.Matcher m = SEGMENT.matcher(entry.test());
        while (m.find()) {
            String type = m.group(1);
            String value = m.group(2);
            if (type.endsWith("class")) {
                name.setLength(0);
                name.append(value.substring(value.lastIndexOf('.') + 1).replace('$', '.'));
            } else if (type.equals("method") || type.equals("test-template") || type.equals("test-factory")) {
                int paren = value.indexOf('(');
                name.append('#').append(paren < 0 ? value : value.substring(0, paren));
            } else if (type.endsWith("invocation") || type.startsWith("dynamic")) {
                name.append('[').append(value.replace("#", "")).append(']');
            }
        }
        return name.length() > 0 ? name.toString() : entry.test();
    }
}
