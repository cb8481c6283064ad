package io.barco.junit;

import io.barco.spec.ContainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A host directory a container writes its results to (a test JVM's outcomes, a class data archive):
 * made 0700 by the host, then given to the host uid and gid that the container's user maps to, so
 * that user alone can write there and no other user of the host can put a file in it. What it holds
 * is read with {@link io.barco.sys.UntrustedFiles} and removed with its deleteTree.
 */
final class ResultDirectory {
    static final String PREFIX = "barco-junit-";

    private ResultDirectory() {
    }

    static Path create() throws IOException {
        return Files.createTempDirectory(PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    static void ownBy(Path dir, ContainerSpec spec) throws IOException {
        long uid = spec.uidMapping().outside() + spec.uid() - spec.uidMapping().inside();
        long gid = spec.gidMapping().outside() + spec.gid() - spec.gidMapping().inside();
        Files.setAttribute(dir, "unix:uid", (int) uid);
        Files.setAttribute(dir, "unix:gid", (int) gid);
    }
}
