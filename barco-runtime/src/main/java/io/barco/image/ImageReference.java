package io.barco.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * An image as a user names it: {@code oci:DIR[:TAG]} (an OCI image layout directory), {@code
 * oci-archive:FILE[:TAG]} or {@code docker-archive:FILE[:NAME:TAG]} (an archive file), a bare path
 * (a directory is a layout, a file an archive), or the id of an image in the cache ({@code
 * sha256:HEX}, or 12 or more of its first hex digits, as {@code barco images} shows it), or an image
 * in a registry, {@code host[:port]/name[:tag|@sha256:HEX]} ({@link RegistrySource}).
 *
 * @param kind what the reference names
 * @param path the layout or archive, absolute; null for a cached id
 * @param tag the image within it, or null for its only one; for {@link Kind#CACHED}, the id's hex digits
 */
record ImageReference(Kind kind, Path path, String tag) {
    private static final Pattern ID = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");
    private static final Pattern REGISTRY_LIKE = Pattern.compile("[a-z0-9.-]+(:\\d+)?/.*|[a-z0-9._/-]+(:[\\w.-]+)?");

    enum Kind {
        LAYOUT,
        ARCHIVE,
        CACHED,
        /** {@code host[:port]/name[:tag|@digest]}, pulled: {@link #tag} holds the whole reference. */
        REGISTRY
    }

    static ImageReference parse(String text, Path base) {
        if (text == null || text.isBlank()) {
            throw new ImageException("no image named: give oci:DIR[:TAG], an archive file, or a cached image's id");
        }
        if (text.indexOf('\0') >= 0 || text.length() > 4096) {
            throw new ImageException(
                    "image reference '" + Digest.abbreviate(text) + "' is not a reference barco reads");
        }
        if (text.startsWith("oci:")) {
            return located(Kind.LAYOUT, text.substring(4), text, base);
        }
        if (text.startsWith("oci-archive:") || text.startsWith("docker-archive:")) {
            return located(Kind.ARCHIVE, text.substring(text.indexOf(':') + 1), text, base);
        }
        if (ID.matcher(text).matches() && !Files.exists(base.resolve(text))) {
            return new ImageReference(Kind.CACHED, null, text.startsWith("sha256:") ? text.substring(7) : text);
        }
        if (text.startsWith("/")
                || text.startsWith("./")
                || text.startsWith("../")
                || Files.exists(base.resolve(text))) {
            return located(null, text, text, base);
        }
        if (RegistrySource.looksLike(text)) {
            return new ImageReference(Kind.REGISTRY, null, text);
        }
        if (REGISTRY_LIKE.matcher(text).matches()) {
            throw new ImageException("'" + Digest.abbreviate(text) + "' names no registry host (barco has no "
                    + "default registry): give host[:port]/name[:tag], e.g. registry-1.docker.io/library/"
                    + Digest.abbreviate(text.contains("/") ? text.substring(text.indexOf('/') + 1) : text)
                    + ", or a layout or archive file");
        }
        throw new ImageException("image reference '" + Digest.abbreviate(text)
                + "' names no layout or archive: give oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE");
    }

    /** PATH[:TAG], where PATH is the longest prefix that exists (paths may hold colons, tags may too). */
    private static ImageReference located(Kind kind, String rest, String text, Path base) {
        String path = rest;
        String tag = null;
        if (!Files.exists(base.resolve(rest))) {
            path = null;
            for (int i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
                if (Files.exists(base.resolve(rest.substring(0, i)))) {
                    path = rest.substring(0, i);
                    tag = rest.substring(i + 1);
                }
            }
            if (path == null || tag.isEmpty()) {
                throw new ImageException("image " + Digest.abbreviate(text) + ": " + Digest.abbreviate(rest)
                        + " does not exist: give an existing OCI layout directory or archive file");
            }
        }
        Path p = base.resolve(path).toAbsolutePath().normalize();
        Kind k = kind != null ? kind : Files.isDirectory(p) ? Kind.LAYOUT : Kind.ARCHIVE;
        if (k == Kind.LAYOUT && !Files.isDirectory(p)) {
            throw new ImageException("image " + Digest.abbreviate(text) + ": " + p + " is not a directory: give an OCI "
                    + "layout directory, or oci-archive:FILE for an archive");
        }
        if (k == Kind.ARCHIVE && !Files.isRegularFile(p)) {
            throw new ImageException("image " + Digest.abbreviate(text) + ": " + p + " is not a file: give an "
                    + "archive file, or oci:DIR for a layout directory");
        }
        return new ImageReference(k, p, tag);
    }
}
