package io.barco.junit.fork;

import io.barco.spec.ContainerSpec;
import io.barco.sys.OwnedTempDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host directory a container writes its results to (a test JVM's outcomes, a class data archive):
 * made 0700 by the host, then given to the host uid and gid that the container's user maps to, so
 * that user alone can write there and no other user of the host can put a file in it. What it holds
 * is read with {@link io.barco.sys.UntrustedFiles} and removed with its deleteTree.
 */
final class ResultDirectory {
    private ResultDirectory() {
    }

    /** Named for this JVM, so that the next JVM or {@code barco gc} removes it if this one dies first. */
    static Path create() throws IOException {
        return OwnedTempDirectories.create("junit");
    }

    static void ownBy(Path dir, ContainerSpec spec) throws IOException {
        Files.setAttribute(dir, "unix:uid", (int) spec.hostUid());
        Files.setAttribute(dir, "unix:gid", (int) spec.hostGid());
    }
}
