package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.BarcoRuntime;
import io.barco.testing.FakeHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive is mapped only beside the digest it was published with; hashed again only when it changed
 * since; and not given to a JVM that would refuse it.
 */
class ClassDataArchiveTest {
    @TempDir
    Path cache;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anUnchangedArchiveIsTrustedByItsStampAndAChangedOneIsHashedAgain() throws Exception {
        // a run's checks over a fake machine: verifying never starts a container
        ClassDataArchive.Checks checks =
                new ClassDataArchive.Checks(new BarcoRuntime(FakeHost.v2(cache.resolve("host")), "barco-test"));
        byte[] content = "class data".getBytes(StandardCharsets.US_ASCII);
        Path archive = Files.write(cache.resolve("a.jsa"), content);
        Path digest = cache.resolve("a.jsa.sha256");
        Files.writeString(digest, sha256(content) + " " + ClassDataArchive.stamp(archive) + "\n");
        assertThat(ClassDataArchive.verified(checks, archive)).isTrue();

        // same size, other bytes, another time: the stamp no longer matches, and the hash does not either
        Path other = Files.write(cache.resolve("b.jsa"), content);
        Files.writeString(cache.resolve("b.jsa.sha256"), sha256(content) + " " + ClassDataArchive.stamp(other) + "\n");
        Files.write(other, "CLASS DATA".getBytes(StandardCharsets.US_ASCII));
        Files.setLastModifiedTime(
                other, FileTime.fromMillis(Files.getLastModifiedTime(other).toMillis() + 5_000));
        assertThat(ClassDataArchive.verified(checks, other)).isFalse();

        // a digest file from before the stamp: the hash decides
        Path old = Files.write(cache.resolve("c.jsa"), content);
        Files.writeString(cache.resolve("c.jsa.sha256"), sha256(content) + "\n");
        assertThat(ClassDataArchive.verified(checks, old)).isTrue();

        assertThat(ClassDataArchive.verified(checks, cache.resolve("missing.jsa")))
                .isFalse();
    }

    @Test
    void aJvmWithoutCompressedPointersGetsNoArchiveAsItWouldRefuseIt() {
        assertThat(ClassDataArchive.mappableWith(List.of())).isTrue();
        assertThat(ClassDataArchive.mappableWith(List.of("-Xmx2g", "-XX:MaxHeapSize=31g")))
                .isTrue();
        assertThat(ClassDataArchive.mappableWith(List.of("-Xmx40g"))).isFalse();
        assertThat(ClassDataArchive.mappableWith(List.of("-XX:MaxHeapSize=33554432k")))
                .isFalse();
        assertThat(ClassDataArchive.mappableWith(List.of("-XX:-UseCompressedOops")))
                .isFalse();
        assertThat(ClassDataArchive.mappableWith(List.of("-XX:-UseCompressedClassPointers")))
                .isFalse();
        // the last word wins, as in the JVM
        assertThat(ClassDataArchive.mappableWith(List.of("-Xmx64g", "-Xmx1g"))).isTrue();
        assertThat(ClassDataArchive.mappableWith(List.of("-XX:-UseCompressedOops", "-XX:+UseCompressedOops")))
                .isTrue();
        assertThat(ClassDataArchive.mappableWith(List.of("-XX:-UseCompressedOops", "-Xmx2g")))
                .isFalse();
        // not a size: the JVM refuses it itself
        assertThat(ClassDataArchive.mappableWith(List.of("-Xmxlots"))).isTrue();
    }
}
