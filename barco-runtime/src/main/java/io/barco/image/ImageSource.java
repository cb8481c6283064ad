package io.barco.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where an image's blobs are read from: an OCI image layout directory, or an archive file (an OCI
 * archive, or {@code docker save}'s). What it gives is untrusted until checked against a digest.
 */
abstract class ImageSource implements Closeable {
    /** OCI's media types of an index, and Docker's of a manifest list. */
    static final List<String> INDEX_TYPES = List.of(
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");

    /** The name of the image's source in a message: the directory or file. */
    abstract String describe();

    /** A blob by name within the source ({@code blobs/sha256/HEX}, or a docker save layer's path); null when absent. */
    abstract InputStream open(String name) throws IOException;

    /** Whether the source has a file of this name. */
    abstract boolean has(String name) throws IOException;

    /** A layer to unpack: its blob, the digest and size that check it (size -1: not given), and its media type. */
    record Layer(String blob, Digest digest, long size, String mediaType) {}

    /** The chosen image: the id it is cached under, its configuration (checked) and its layers. */
    record Chosen(Digest id, Json config, List<Layer> layers) {}

    /** The image {@code tag} names (null: the only one) in this source. */
    abstract Chosen choose(String tag) throws IOException;

    /** Reads a small blob whole, checked against its digest and size, at most {@link Json#MAX_BYTES}. */
    byte[] readSmall(Digest digest, long size, String what) throws IOException {
        if (size > Json.MAX_BYTES) {
            throw new ImageException(what + " is " + size + " bytes by its descriptor, more than barco reads of one ("
                    + Json.MAX_BYTES + "): the image is not one barco takes");
        }
        String name = "blobs/sha256/" + digest.hex();
        InputStream raw = open(name);
        if (raw == null) {
            throw new ImageException(
                    what + " (" + digest + ") is missing from " + describe() + ": the image is incomplete");
        }
        try (raw;
                VerifyingInputStream in = new VerifyingInputStream(raw, digest, size, what)) {
            byte[] bytes = in.readNBytes((int) Math.max(size, 0));
            in.verify();
            return bytes;
        } catch (VerifyingInputStream.ImageIntegrityException e) {
            throw new ImageException(e.getMessage() + " (in " + describe() + ")");
        }
    }
}
