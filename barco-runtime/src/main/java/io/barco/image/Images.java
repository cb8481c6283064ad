package io.barco.image;

import io.barco.spec.ImageRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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

    /**
     * The first directory on {@code path} that the stacked image shows as a symbolic link, if one
     * does: the launch makes mount points before pivot_root, where such a link would lead out of the
     * image. Each layer is read from the top, one component at a time, never through a link; a
     * whiteout ends the path.
     */
    public static Optional<String> linkOnPath(ImageRoot image, String path) {
        List<String> parts = parts(path);
        for (int depth = 1; depth <= parts.size(); depth++) {
            BasicFileAttributes top = top(image.layers(), parts.subList(0, depth));
            if (top == null || top.isOther()) {
                return Optional.empty();
            }
            if (top.isSymbolicLink()) {
                return Optional.of("/" + String.join("/", parts.subList(0, depth)));
            }
        }
        return Optional.empty();
    }

    /** Whether the stacked image has a regular file at {@code path}, reached through directories only. */
    public static boolean has(ImageRoot image, String path) {
        List<String> parts = parts(path);
        for (int depth = 1; depth <= parts.size(); depth++) {
            BasicFileAttributes top = top(image.layers(), parts.subList(0, depth));
            if (top == null) {
                return false;
            }
            boolean last = depth == parts.size();
            if (last ? !top.isRegularFile() : !top.isDirectory()) {
                return false;
            }
        }
        return !parts.isEmpty();
    }

    private static List<String> parts(String path) {
        return Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toList();
    }

    /** The entry at {@code parts} of the topmost layer that has one (its parents directories of that layer). */
    private static BasicFileAttributes top(List<Path> layers, List<String> parts) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            BasicFileAttributes found = entry(layers.get(i), parts);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static BasicFileAttributes entry(Path layer, List<String> parts) {
        Path p = layer;
        for (int i = 0; i < parts.size(); i++) {
            p = p.resolve(parts.get(i));
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (i == parts.size() - 1) {
                    return a;
                }
                if (!a.isDirectory()) {
                    return null;
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
