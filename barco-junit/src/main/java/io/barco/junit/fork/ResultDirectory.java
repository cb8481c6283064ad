package io.barco.junit.fork;

import io.barco.spec.ContainerSpec;
import io.barco.sys.OwnedTempDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A host directory a container writes its results to (a test JVM's outcomes, a class data archive):
 * made 0700 by the host, then given to the host uid and gid that the container's user maps to, so
 * that user alone can write there and no other user of the host can put a file in it. What it holds
 * is read with {@link io.barco.sys.UntrustedFiles} and removed with its deleteTree.
 */
final class ResultDirectory {
    private ResultDirectory() {}

    /** Named for this JVM, so that the next JVM or {@code barco gc} removes it if this one dies first. */
    static Path create() throws IOException {
        return OwnedTempDirectories.create("junit");
    }

    static void ownBy(Path dir, ContainerSpec spec) throws IOException {
        Files.setAttribute(dir, "unix:uid", (int) spec.hostUid());
        Files.setAttribute(dir, "unix:gid", (int) spec.hostGid());
    }

    /** A new file in a result directory that the container's user alone may read (0600, theirs), before the container starts. */
    static void writeOwned(Path file, String content, ContainerSpec spec) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8, LinkOption.NOFOLLOW_LINKS, StandardOpenOption.WRITE);
        ownBy(file, spec);
    }
}
