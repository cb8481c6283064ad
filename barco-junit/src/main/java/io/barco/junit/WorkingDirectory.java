package io.barco.junit;

import io.barco.spec.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build's working directory (the module's base directory) at its own path inside the container,
 * read-only, so that relative paths such as {@code src/test/resources/x.bin} resolve as in a plain
 * run. The host's root is there read-only already; what the container's user could not reach is
 * made reachable: below a directory only root may enter (/root), a tmpfs hides that directory and the
 * working directory alone is bound in, idmapped; below /tmp or /run, which the container gets fresh,
 * it is bound in at its own path.
 */
final class WorkingDirectory {
    private WorkingDirectory() {
    }

    /** The mounts that make {@code dir} visible, none of them already among {@code existing}. */
    static List<Mount> mounts(Path dir, List<Mount> existing) {
        List<Mount> mounts = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return mounts;
        }
        Path shadowed = ForkedClasspath.underShadowedDirectory(dir, ForkedClasspath.SHADOWED);
        Path closed = ForkedClasspath.firstClosedAncestor(dir.resolve("x"));
        if (shadowed != null) {
            Mount bind = closed != null ? Mount.bindAsContainerRoot(shadowed, shadowed.toString()) : Mount.bind(shadowed, shadowed.toString(), true);
            if (existing.stream().noneMatch(m -> m.target().equals(bind.target()))) {
                mounts.add(bind);
            }
        } else if (closed != null) {
            mounts.add(Mount.tmpfs(closed.toString()));
            mounts.add(Mount.bindAsContainerRoot(dir, dir.toString()));
        }
        return mounts;
    }
}
