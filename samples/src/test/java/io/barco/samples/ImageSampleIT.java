package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;

import io.barco.image.ImageException;
import io.barco.image.ImageStore;
import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tests in an image's root: an image pushed to the registry on localhost:5000, pulled by barco at the
 * first command, and the same image from an OCI archive file. The test sees the image's files, its
 * Env and its WorkingDir.
 */
@InBarco(memory = "64M", pids = 16)
class ImageSampleIT {
    private static final String PULLED = "localhost:5000/barco/alpine-like:1";
    private static final String ARCHIVE = "oci-archive:target/images/alpine-like.tar:1";

    @BeforeAll
    static void pushTheImageAndWriteItsArchive() throws Exception {
        SampleImage alpineLike = SampleImage.alpineLike(); // busybox, /etc/os-release, Env, WorkingDir
        LocalRegistry.push(alpineLike, "barco/alpine-like", "1");
        alpineLike.writeOciArchive(Path.of("target/images/alpine-like.tar"), "1");
    }

    @Test
    @InBarco(image = "localhost:5000/barco/alpine-like:1")
    void fromARegistry(BarcoContainer barco) throws Exception {
        seesTheImagesFilesEnvAndWorkingDir(barco);
    }

    @Test
    @InBarco(image = "oci-archive:target/images/alpine-like.tar:1")
    void fromAnOciArchiveFile(BarcoContainer barco) throws Exception {
        seesTheImagesFilesEnvAndWorkingDir(barco);
    }

    private static void seesTheImagesFilesEnvAndWorkingDir(BarcoContainer barco) throws Exception {
        assertThat(barco.exec("/bin/sh", "-c", "cat /etc/os-release; echo \"$GREETING\"; pwd"))
                .succeeded()
                .stdoutIsEqualTo("ID=alpine-like\nPRETTY_NAME=\"barco's alpine-like sample\"\n"
                        + "hello from the image\n/srv/app\n");
    }

    /** The image, unpacked once into the user's image cache (barco images lists it), leaves it with this class. */
    @AfterAll
    static void removeTheImage() throws Exception {
        for (String reference : new String[] {PULLED, ARCHIVE}) {
            try {
                ImageStore.defaults().remove(reference);
            } catch (ImageException e) {
                // not pulled, or removed with the other reference of the same image
            }
        }
    }
}
