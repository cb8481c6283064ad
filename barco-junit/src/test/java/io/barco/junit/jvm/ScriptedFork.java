package io.barco.junit.jvm;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.outcome.OutcomeTail;
import io.barco.junit.outcome.Outcomes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A fake forked JVM for {@link ClassForks}: it writes a scripted report with the fork's own writer,
 * follows it with the host's own tail, as a real fork's outcomes come, and stops where the script
 * says until the test lets it go on: no container, no JVM, no root.
 */
final class ScriptedFork implements BatchFork {
    /** What the fork writes next. */
    interface Write {
        void to(OutcomeFile.Writer writer) throws IOException;
    }

    /** The JVM's usage as its container measured it: what a class is given when its JVM ended with it. */
    static final ResourceUsage JVM_USAGE = new ResourceUsage(
            OptionalLong.of(200L << 20),
            Optional.of(Duration.ofMillis(700)),
            Optional.of(Duration.ofMillis(100)),
            OptionalLong.of(30),
            false,
            0,
            OptionalLong.empty(),
            OptionalLong.empty(),
            Duration.ofSeconds(2));

    private final Path file;
    private final List<Object> script = new ArrayList<>();
    private String ending = "exited with 0";
    private IOException cannotStart;
    final AtomicInteger runs = new AtomicInteger();
    final CountDownLatch ended = new CountDownLatch(1);
    volatile BatchPlan ranPlan;

    ScriptedFork(Path dir) {
        this.file = dir.resolve("outcome");
    }

    /** The fork writes this, and the host sees it. */
    ScriptedFork writes(Write write) {
        script.add(write);
        return this;
    }

    /** The fork stops here until the latch is counted down (the test decides when its JVM goes on). */
    ScriptedFork holds(CountDownLatch gate) {
        script.add(gate);
        return this;
    }

    /** The JVM ends so, without writing its end record: killed, say. */
    ScriptedFork endsWithout(String how) {
        this.ending = how;
        return this;
    }

    /** The JVM cannot start at all. */
    ScriptedFork cannotStart(IOException why) {
        this.cannotStart = why;
        return this;
    }

    @Override
    public ForkedTest.Batch run(BatchPlan plan, Consumer<Outcomes> progress) throws IOException, InterruptedException {
        runs.incrementAndGet();
        ranPlan = plan;
        try {
            if (cannotStart != null) {
                throw cannotStart;
            }
            try (OutputStream out =
                            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.APPEND);
                    OutcomeFile.Writer writer = new OutcomeFile.Writer(out);
                    OutcomeTail tail = new OutcomeTail(file)) {
                for (Object step : script) {
                    if (step instanceof CountDownLatch gate) {
                        if (!gate.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the test never let the fake fork go on");
                        }
                    } else {
                        ((Write) step).to(writer);
                        if (tail.poll()) {
                            progress.accept(tail.outcomes());
                        }
                    }
                }
                if (ending.equals("exited with 0")) {
                    writer.end();
                }
                tail.poll();
                tail.finish();
                return new ForkedTest.Batch(tail.outcomes(), null, Optional.of(JVM_USAGE), ending);
            }
        } finally {
            ended.countDown();
        }
    }
}
