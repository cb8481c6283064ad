package io.barco.image;

import io.barco.sys.SpecialFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer (an uncompressed tar stream, untrusted) into a new, private directory of the
 * image cache, as overlayfs reads a lower layer in a user namespace ({@code userxattr}):
 *
 * <ul>
 *   <li>a whiteout {@code .wh.NAME} becomes a character device 0/0 named NAME, an opaque directory's
 *       {@code .wh..wh..opq} the xattr {@code user.overlay.opaque=y} on its directory;
 *   <li>owners are the image's own ids, unshifted (the launch idmaps the layer with the container's
 *       mapping, so that the image's root is container root); permission bits are kept less setuid and
 *       setgid; extended attributes (file capabilities included) are dropped;
 *   <li>refused, naming the layer and the entry: a path that is absolute or climbs out with {@code ..},
 *       a device node, a hard link to anything but a file of this same layer, an entry under a link
 *       (a symlink, then a file through it), a layer past the caps on entries, bytes and name lengths.
 * </ul>
 *
 * No link is ever followed: every directory an entry lands in was made by this unpacking, which
 * remembers what it made (the directory is the unpacking's alone until it is published), so a path is
 * checked against that record rather than resolved, and files are created with {@code O_NOFOLLOW}.
 */
final class LayerUnpacker {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    /** The overlay xattr of an opaque directory, as overlayfs reads it under {@code userxattr}. */
    static final String OPAQUE_XATTR = "overlay.opaque";

    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    /** Caps on one layer. */
    record Limits(long maxBytes, int maxEntries) {
        static final Limits DEFAULT = new Limits(16L << 30, 1_000_000);
    }

    private enum Kind {
        DIRECTORY,
        FILE,
        LINK,
        OTHER
    }

    private final Path root;
    private final String layer;
    private final Limits limits;
    private final Map<String, Kind> made = new HashMap<>();
    private final List<Object[]> directoryTimes = new ArrayList<>();
    private long bytes;
    private int entries;

    private LayerUnpacker(Path root, String layer, Limits limits) {
        this.root = root;
        this.layer = layer;
        this.limits = limits;
        made.put("", Kind.DIRECTORY);
    }

    /**
     * Unpacks {@code tar} into {@code root}, an empty directory only this unpacking writes; returns the
     * bytes of the files written. {@code layer} names the layer in a refusal.
     *
     * @throws RefusedEntryException for an entry barco does not unpack
     */
    static long unpack(InputStream tar, Path root, String layer, Limits limits) throws IOException {
        LayerUnpacker u = new LayerUnpacker(root, layer, limits);
        TarArchiveInputStream in = new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name());
        for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
            u.entry(e, in);
        }
        u.finish();
        return u.bytes;
    }

    /** An entry barco will not unpack; the message names the layer and the entry. */
    static final class RefusedEntryException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedEntryException(String message) {
            super(message);
        }
    }

    private RefusedEntryException refuse(String entry, String why) {
        return new RefusedEntryException(
                "layer " + layer + ": entry '" + Digest.abbreviate(entry) + "' " + why + ": barco refuses this layer");
    }

    /** The entry's path relative to the layer, normalized; refused when it is absolute or climbs out. */
    private String relative(String name, String entry) throws RefusedEntryException {
        if (name.indexOf('\0') >= 0) {
            throw refuse(entry, "has a NUL in its name");
        }
        if (name.startsWith("/")) {
            throw refuse(entry, "is an absolute path");
        }
        if (name.length() > 4096) {
            throw refuse(entry, "has a path longer than 4096 bytes");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refuse(entry, "climbs out of the layer with '..'");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > 255) {
                throw refuse(entry, "has a name longer than 255 bytes");
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    private void entry(TarArchiveEntry e, InputStream in) throws IOException {
        String name = e.getName();
        if (++entries > limits.maxEntries()) {
            throw refuse(name, "is past the " + limits.maxEntries() + " entries barco unpacks of a layer");
        }
        String path = relative(name, name);
        String base = path.substring(path.lastIndexOf('/') + 1);
        String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        if (path.isEmpty()) {
            if (e.isDirectory()) {
                directoryTimes.add(new Object[] {root, e});
                return;
            }
            throw refuse(name, "is the layer's root but not a directory");
        }
        if (base.equals(OPAQUE)) {
            Path dir = directory(parent, name);
            Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .write(OPAQUE_XATTR, ByteBuffer.wrap("y".getBytes(StandardCharsets.US_ASCII)));
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            String hidden = base.substring(WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw refuse(name, "is a whiteout of no name");
            }
            String target = parent.isEmpty() ? hidden : parent + "/" + hidden;
            if (made.containsKey(target)) {
                return; // a whiteout hides what lower layers have; this layer's own entry stays
            }
            Path dir = directory(parent, name);
            mknod(dir.resolve(hidden), S_IFCHR, name);
            made.put(target, Kind.OTHER);
            return;
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) {
            throw refuse(name, "is a device node");
        }
        Path dir = directory(parent, name);
        Path target = dir.resolve(base);
        Kind existing = made.get(path);
        if (existing != null && !(existing == Kind.DIRECTORY && e.isDirectory())) {
            remove(path, target); // a later entry replaces an earlier one of the same layer
        }
        if (e.isDirectory()) {
            if (existing != Kind.DIRECTORY) {
                Files.createDirectory(target);
                made.put(path, Kind.DIRECTORY);
            }
            owner(target, e);
            mode(target, e);
            directoryTimes.add(new Object[] {target, e});
        } else if (e.isSymbolicLink()) {
            String link = e.getLinkName();
            if (link.isEmpty() || link.length() > 4096 || link.indexOf('\0') >= 0) {
                throw refuse(name, "is a link with an empty, NUL-bearing or over-long target");
            }
            Files.createSymbolicLink(target, Path.of(link)); // never followed here; inside, it resolves inside
            made.put(path, Kind.LINK);
            owner(target, e);
        } else if (e.isLink()) {
            String linked = relative(e.getLinkName(), name);
            if (made.get(linked) != Kind.FILE) {
                throw refuse(
                        name,
                        "is a hard link to '" + Digest.abbreviate(e.getLinkName())
                                + "', which is not a file of this layer (a link out of the layer, or to a lower layer's file)");
            }
            Files.createLink(target, root.resolve(linked));
            made.put(path, Kind.FILE);
        } else if (e.isFIFO()) {
            mknod(target, S_IFIFO | (e.getMode() & 0777), name);
            made.put(path, Kind.OTHER);
            owner(target, e);
        } else if (e.isFile()) {
            try (OutputStream out = Files.newOutputStream(
                    target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                copy(in, out, name);
            }
            made.put(path, Kind.FILE);
            owner(target, e);
            mode(target, e);
            Files.setLastModifiedTime(
                    target, FileTime.from(e.getLastModifiedTime().toInstant()));
        } else {
            throw refuse(name, "is of a kind barco does not unpack (tar type '" + (char) typeFlag(e) + "')");
        }
    }

    private static int typeFlag(TarArchiveEntry e) {
        return e.isGNUSparse() ? 'S' : '?';
    }

    private void copy(InputStream in, OutputStream out, String name) throws IOException {
        byte[] buffer = new byte[65536];
        for (int n; (n = in.read(buffer)) > 0; ) {
            bytes += n;
            if (bytes > limits.maxBytes()) {
                throw refuse(name, "takes the layer past the " + limits.maxBytes() + " bytes barco unpacks of one");
            }
            out.write(buffer, 0, n);
        }
    }

    /**
     * The directory {@code path} of the layer, made (as mkdir -p, mode 0755, root's) where this layer
     * has not made it yet; refused when a link or a file of this layer stands on the way.
     */
    private Path directory(String path, String entry) throws IOException {
        if (path.isEmpty()) {
            return root;
        }
        String sofar = "";
        for (String part : path.split("/")) {
            sofar = sofar.isEmpty() ? part : sofar + "/" + part;
            Kind kind = made.get(sofar);
            if (kind == null) {
                Files.createDirectory(root.resolve(sofar));
                made.put(sofar, Kind.DIRECTORY);
            } else if (kind == Kind.LINK) {
                throw refuse(entry, "lies under '" + Digest.abbreviate(sofar) + "', a link of this layer");
            } else if (kind != Kind.DIRECTORY) {
                throw refuse(entry, "lies under '" + Digest.abbreviate(sofar) + "', which is not a directory");
            }
        }
        return root.resolve(path);
    }

    private void remove(String path, Path target) throws IOException {
        if (made.get(path) == Kind.DIRECTORY) {
            io.barco.sys.UntrustedFiles.deleteTree(target);
            String prefix = path + "/";
            made.keySet().removeIf(k -> k.startsWith(prefix));
        } else {
            Files.delete(target);
        }
        made.remove(path);
    }

    /** A whiteout (mode S_IFCHR) or a FIFO; the failure names the layer and the entry. */
    private void mknod(Path path, int mode, String entry) throws IOException {
        try {
            if ((mode & S_IFIFO) == S_IFIFO) {
                SpecialFiles.fifo(path, mode);
            } else {
                SpecialFiles.whiteout(path);
            }
        } catch (java.nio.file.FileSystemException e) {
            throw new java.nio.file.FileSystemException(
                    e.getFile(),
                    null,
                    "layer " + layer + ": entry '" + Digest.abbreviate(entry) + "': " + e.getReason());
        }
    }

    private static void owner(Path target, TarArchiveEntry e) throws IOException {
        long uid = e.getLongUserId();
        long gid = e.getLongGroupId();
        if (uid < 0 || uid > 0xfffffffeL || gid < 0 || gid > 0xfffffffeL) {
            uid = 0;
            gid = 0;
        }
        Files.setAttribute(target, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** The entry's mode, less setuid and setgid (the sticky bit stays); on a file or directory this unpacking made. */
    private static void mode(Path target, TarArchiveEntry e) throws IOException {
        Files.setAttribute(target, "unix:mode", e.getMode() & 01777, LinkOption.NOFOLLOW_LINKS);
    }

    /** Directory times last: every entry added to a directory changed its time. */
    private void finish() throws IOException {
        for (Object[] d : directoryTimes) {
            Path dir = (Path) d[0];
            TarArchiveEntry e = (TarArchiveEntry) d[1];
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.setLastModifiedTime(
                        dir, FileTime.from(e.getLastModifiedTime().toInstant()));
            }
        }
    }
}
