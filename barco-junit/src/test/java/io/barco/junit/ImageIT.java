package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.image.ImageException;
import io.barco.image.ImageStore;
import io.barco.junit.fixtures.ImageFixtures;
import io.barco.sys.OwnedTempDirectories;
import io.barco.sys.UntrustedFiles;
import io.barco.testing.OciImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** {@code @InBarco(image = ...)}: command mode in the image's root; JVM mode refused in one line where it has no JDK. */
class ImageIT {
    /** Where ImageFixtures's {@code @InBarco(image = "oci:target/barco-images/busybox:1")} finds it. */
    private static final Path LAYOUT = Path.of("target/barco-images/busybox");

    @BeforeAll
    static void buildTheImage() throws IOException {
        UntrustedFiles.deleteTree(LAYOUT);
        OciImages.busyboxImage().writeLayout(Files.createDirectories(LAYOUT));
    }

    /** The layout, and the image in the user's cache, where @InBarco unpacked it (with the layers no other image has). */
    @AfterAll
    static void removeIt() throws IOException {
        UntrustedFiles.deleteTree(LAYOUT);
        try {
            ImageStore.defaults().remove("oci:target/barco-images/busybox:1");
        } catch (ImageException e) {
            // not unpacked: the test that would have failed says so
        }
    }

    private static Events run(String method) {
        String parameters = method.startsWith("runs") ? "" : BarcoContainer.class.getName();
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(ImageFixtures.class, method, parameters))
                .execute()
                .testEvents();
    }

    @Test
    void aCommandModeTestSeesTheImagesFilesEnvAndWorkingDirectory() {
        run("seesTheImagesFilesEnvAndWorkingDirectory")
                .assertThatEvents()
                .haveExactly(1, event(test("seesTheImagesFilesEnvAndWorkingDirectory"), finishedSuccessfully()));
        run("writesToAWritableImageRoot")
                .assertThatEvents()
                .haveExactly(1, event(test("writesToAWritableImageRoot"), finishedSuccessfully()));
    }

    @Test
    void aJvmModeTestInAnImageWithoutTheJdkFailsInOneLineAndLeavesNothing() throws IOException {
        run("runsInAJvmTheImageDoesNotHave")
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("runsInAJvmTheImageDoesNotHave"),
                                finishedWithFailure(message(m -> m.startsWith(
                                                "JVM mode runs the test in the host's JDK, "
                                                        + Path.of(System.getProperty("java.home"), "bin", "java")
                                                        + ", which image oci:target/barco-images/busybox:1 does not have")
                                        && !m.contains("\n")))));
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(tmp.filter(OwnedTempDirectories::ours)).isEmpty();
        }
    }
}
