package io.barco.image;

import io.barco.spec.ImageRoot;
import java.nio.file.Path;

/**
 * Images as roots: the one translator from an image reference to the {@link ImageRoot} that {@code
 * ContainerSpec.Builder.image} takes, through the user's cache ({@link ImageStore#defaults}).
 *
 * <pre>{@code
 * ContainerSpec spec = ContainerSpec.builder("/bin/sh").args("-c", "cat /etc/os-release")
 *         .image(Images.resolve("oci:/srv/images/alpine-like:1")).build();
 * }</pre>
 */
public final class Images {
    private Images() {}

    /** The image {@code reference} names, unpacked into the cache if it is not there yet. */
    public static ImageRoot resolve(String reference) {
        return ImageStore.defaults().resolve(reference);
    }

    /** As {@link #resolve(String)}, a relative path in {@code reference} taken from {@code base}. */
    public static ImageRoot resolve(String reference, Path base) {
        return ImageStore.defaults().resolve(reference, base);
    }
}
