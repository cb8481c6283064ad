package io.barco.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Collection against a directory tree shaped like a cgroup parent: empty group directories. */
class DeadLaunchersTest {
    // above PID_MAX_LIMIT: no process ever has this pid, so its groups' owner is dead
    private static final String DEAD = "barco-4194309-1-";
    private static final CgroupFiles FILES = new CgroupFiles(new io.barco.sys.LinuxHost());
    private static final CgroupNames NAMES = new CgroupNames(Path.of("/proc"));

    @Test
    void removesOnlyTheGroupsOfDeadLaunchers(@TempDir Path parent) throws IOException {
        Path dead = Files.createDirectory(parent.resolve(DEAD + "1"));
        Path live = Files.createDirectory(parent.resolve(CgroupNames.next()));
        Path other = Files.createDirectory(parent.resolve("not-barco"));
        DeadLaunchers.Outcome outcome = DeadLaunchers.collect(FILES, NAMES, List.of(parent));
        assertThat(outcome.removed()).containsExactly(dead);
        assertThat(outcome.failures()).isEmpty();
        assertThat(live).isDirectory();
        assertThat(other).isDirectory();
    }

    @Test
    void collectorsRacingOnTheSameGroupsEachRemoveSomeAndNoneFails(@TempDir Path parent) throws Exception {
        for (int i = 0; i < 200; i++) {
            Files.createDirectory(parent.resolve(DEAD + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<DeadLaunchers.Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                outcomes.add(pool.submit(
                        (Callable<DeadLaunchers.Outcome>) () -> DeadLaunchers.collect(FILES, NAMES, List.of(parent))));
            }
            int removed = 0;
            for (Future<DeadLaunchers.Outcome> outcome : outcomes) {
                assertThat(outcome.get().failures()).isEmpty();
                removed += outcome.get().removed().size();
            }
            assertThat(removed)
                    .as("each group removed by exactly one collector")
                    .isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aGroupAlreadyGoneIsAnotherCollectorsNotAFailure(@TempDir Path parent) {
        assertThat(DeadLaunchers.collect(FILES, parent.resolve(DEAD + "7"))).isFalse();
        assertThat(DeadLaunchers.collect(FILES, NAMES, List.of(parent.resolve("no-such-parent")))
                        .failures())
                .isEmpty();
    }

    @Test
    void enoentEnodevAndEbusyMeanAnotherCollectorHasTheGroup() {
        Path file = Path.of("/sys/fs/cgroup/freezer/barco-1-1-1/freezer.state");
        assertThat(DeadLaunchers.takenByAnother(new CgroupException("x", new NoSuchFileException(file.toString()))))
                .isTrue();
        assertThat(DeadLaunchers.takenByAnother(new CgroupException("x", new IOException("No such device"))))
                .isTrue();
        assertThat(DeadLaunchers.takenByAnother(new CgroupException(
                        "x", new FileSystemException(file.getParent().toString(), null, "Device or resource busy"))))
                .isTrue();
        assertThat(DeadLaunchers.takenByAnother(
                        new CgroupException("x", new FileSystemException(file.toString(), null, "Permission denied"))))
                .isFalse();
    }
}
