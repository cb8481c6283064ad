package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.barco.junit.fixtures.OutcomeFloodFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A fork reports about 63 MiB of tiny well-formed outcome records ({@link OutcomeFloodFixture}) to a
 * host JVM with {@code -Xmx256m}: the run ends, the flooding test fails saying its report went past
 * what the host keeps, and the host's heap (what is live after each collection) stays below 128 MiB.
 */
class OutcomeFloodIT {
    private static final long MAX_LIVE_HEAP = 128L << 20;
    private static final String PEAK = "peak heap after GC: ";
    private static final String OUTCOME = "outcome: ";

    /** The host JVM: runs the fixture through the launcher, as Surefire would, and says what its heap held at most. */
    public static void main(String[] args) throws Exception {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        AtomicLong peak = new AtomicLong();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (notification, handback) -> {
                                if (notification
                                        .getType()
                                        .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                                    long live = GarbageCollectionNotificationInfo.from(
                                                    (CompositeData) notification.getUserData())
                                            .getGcInfo()
                                            .getMemoryUsageAfterGc()
                                            .entrySet()
                                            .stream()
                                            .filter(e -> heapPools.contains(e.getKey()))
                                            .mapToLong(e -> e.getValue().getUsed())
                                            .sum();
                                    peak.accumulateAndGet(live, Math::max);
                                }
                            },
                            null,
                            null);
        }
        // a full collection now and then, so that what is live is measured while the flood is read, not only what young
        // collections keep
        Thread collector = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        System.gc();
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "collector");
        collector.setDaemon(true);
        collector.start();
        AtomicReference<String> outcome = new AtomicReference<>("none");
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(DiscoverySelectors.selectClass(OutcomeFloodFixture.class))
                                .build(),
                        new TestExecutionListener() {
                            @Override
                            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                                if (test.isTest()) {
                                    outcome.set(result.getStatus() + " "
                                            + result.getThrowable()
                                                    .map(Throwable::getMessage)
                                                    .orElse(""));
                                }
                            }
                        });
        collector.interrupt();
        collector.join();
        System.gc();
        System.out.println(OUTCOME + outcome.get().replaceAll("\\R", " "));
        System.out.println(PEAK + peak.get());
        System.exit(0);
    }

    @Test
    void aFloodOfTinyOutcomeRecordsKeepsTheHostsHeapBounded() throws Exception {
        Process host = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OutcomeFloodIT.class.getName())
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println(line);
                lines.add(line);
            }
        }
        assertThat(host.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(host.exitValue())
                .as("the host JVM ended normally, no OutOfMemoryError")
                .isZero();
        assertThat(lines)
                .filteredOn(l -> l.startsWith(OUTCOME))
                .singleElement()
                .asString()
                .startsWith(OUTCOME + "FAILED")
                .contains("more than the host keeps");
        long peak = Long.parseLong(lines.stream()
                .filter(l -> l.startsWith(PEAK))
                .findFirst()
                .orElseThrow()
                .substring(PEAK.length()));
        System.out.println("[OutcomeFloodIT] host heap live after GC, at most: " + (peak >> 20) + " MiB");
        assertThat(peak).isPositive().isLessThan(MAX_LIVE_HEAP);
    }
}
