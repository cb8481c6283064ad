package io.barco.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A root filesystem made of an image's layers, resolved and unpacked (by {@code io.barco.image}),
 * and the defaults its configuration gives: what {@link ContainerSpec.Builder#image} takes. The
 * layers are directories of barco's image cache, bottom first, each mounted read-only as a lower
 * layer of the container's overlay; they never change once published.
 *
 * @param reference the image as the user named it
 * @param id the digest of its manifest ({@code sha256:...})
 * @param layers the unpacked layers, bottom first
 * @param env the configuration's {@code Env}, {@code NAME=VALUE} each
 * @param workdir its {@code WorkingDir}, or null
 * @param user its {@code User} ({@code uid[:gid]}), or null
 * @param entrypoint its {@code Entrypoint}, possibly empty
 * @param cmd its {@code Cmd}, possibly empty
 */
public record ImageRoot(
        String reference,
        String id,
        List<Path> layers,
        List<String> env,
        String workdir,
        String user,
        List<String> entrypoint,
        List<String> cmd) {
    public ImageRoot {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(id, "id");
        layers = List.copyOf(layers);
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an image has at least one layer");
        }
        layers.forEach(l -> {
            if (!l.isAbsolute()) {
                throw new IllegalArgumentException("layer " + l + " is not an absolute path");
            }
        });
    }

    /** What the image runs when the user gives no command: its entrypoint followed by its cmd. */
    public List<String> defaultCommand() {
        return java.util.stream.Stream.concat(entrypoint.stream(), cmd.stream()).toList();
    }

    @Override
    public String toString() {
        return "image " + reference + " (" + id + ", " + layers.size() + " layer" + (layers.size() == 1 ? "" : "s")
                + ")";
    }
}
