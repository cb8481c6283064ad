package io.barco.junit.buildjvm;

import io.barco.spec.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build's working directory (the module's base directory) at its own path inside the container,
 * so that relative paths such as {@code src/test/resources/x.bin} resolve as in a plain run, and
 * writable as in a plain run, through an overlay: what a test writes there ({@code target/x},
 * {@code ./test.txt}) goes to an upper layer in the fork's result directory and vanishes with the
 * fork; the host's files never change. Below a directory only root may enter (/root), a tmpfs hides
 * that directory; below /tmp or /run, which the container gets fresh, the top directory is bound in
 * at its own path. The directory itself is bound idmapped (the host's root-owned files belong to
 * container root), which the overlay needs to copy a file up when a test changes it; where the
 * filesystem has no idmapped mounts, the directory is visible read-only.
 */
public final class WorkingDirectory {
    private WorkingDirectory() {}

    /**
     * The mounts that make {@code dir} visible and writable, none of them already among {@code existing}.
     *
     * @param upperParent a writable directory inside (the result directory) for the overlay's layers
     */
    public static List<Mount> mounts(Path dir, List<Mount> existing, String upperParent) {
        List<Mount> mounts = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return mounts;
        }
        Path shadowed = ForkedClasspath.underShadowedDirectory(dir, ForkedClasspath.SHADOWED);
        Path closed = ForkedClasspath.firstClosedAncestor(dir.resolve("x"));
        if (shadowed != null) {
            Mount bind = closed != null
                    ? Mount.bindAsContainerRoot(shadowed, shadowed.toString())
                    : Mount.bind(shadowed, shadowed.toString(), true);
            if (existing.stream().noneMatch(m -> m.target().equals(bind.target()))) {
                mounts.add(bind);
            }
        } else if (closed != null) {
            mounts.add(Mount.tmpfs(closed.toString()));
        }
        // only where Linux makes idmapped mounts of the filesystem: elsewhere the working directory stays
        // read-only, as the overlay could not copy up a file the host's root owns
        if (ForkedClasspath.idmappable(dir)) {
            mounts.add(Mount.bindAsContainerRoot(dir, dir.toString()));
            mounts.add(Mount.overlay(dir.toString(), upperParent));
        } else if (closed != null && shadowed == null) {
            mounts.add(Mount.bind(dir, dir.toString(), true)); // readable, and read-only as it is
        }
        return mounts;
    }
}
