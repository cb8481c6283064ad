package io.barco.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An OCI image layout directory; its files are opened without following a link at the last step. */
final class LayoutDirectory extends OciSource {
    private final Path dir;

    LayoutDirectory(Path dir) {
        this.dir = dir;
        if (!Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(dir + " has no oci-layout file: it is not an OCI image layout directory");
        }
    }

    @Override
    String describe() {
        return dir.toString();
    }

    @Override
    InputStream open(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    boolean has(String name) {
        return Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void close() {}
}
