package io.barco.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.barco.spec.ImageRoot;
import io.barco.sys.LauncherIdentity;
import io.barco.sys.UntrustedFiles;
import io.barco.sys.UserCache;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * barco's image cache, {@code ~/.cache/barco/images} ({@link UserCache}): each layer unpacked once,
 * in a directory named for the digest of its uncompressed tar ({@code layers/HEX/root}), shared by
 * every image that has it; a record of each image resolved ({@code images/HEX.json}, its id the
 * digest of its manifest, or of its configuration for a docker save archive).
 *
 * <p>A layer is unpacked into a directory of its own under {@code tmp/}, named for its JVM, while its
 * blob is checked against its digest and size, then published with one rename to {@code
 * layers/HEX}. A published layer is never written again: rename(2) fails on a directory that exists
 * and is not empty (a published layer always holds {@code root} and {@code size}), so two JVMs
 * unpacking the same layer at once both succeed, the loser removing its own copy; a lock file per
 * layer makes the second wait for the first instead of unpacking it again. Nothing half-unpacked is
 * ever under {@code layers/}: a failure removes its directory, and one left by a JVM that was killed
 * is removed by the next collection ({@code barco gc}).
 */
public final class ImageStore {
    private static final Map<String, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Pattern TEMP = Pattern.compile("(unpack|trash)-(\\d+)-(\\d+)-.+");
    /** How long a layer no image names is kept by {@link #collect}: an image being resolved names its layers last. */
    private static final Duration UNREFERENCED_GRACE = Duration.ofMinutes(10);

    private static final int MAX_LAYERS = 128;

    private final Path dir;
    private final Path layers;
    private final Path images;
    private final Path tmp;
    private final Path locks;
    private final LayerUnpacker.Limits limits;

    public ImageStore(Path dir) {
        this(dir, LayerUnpacker.Limits.DEFAULT);
    }

    ImageStore(Path dir, LayerUnpacker.Limits limits) {
        this.dir = dir;
        this.layers = dir.resolve("layers");
        this.images = dir.resolve("images");
        this.tmp = dir.resolve("tmp");
        this.locks = dir.resolve("locks");
        this.limits = limits;
        try {
            for (Path d : List.of(dir, layers, images, tmp, locks)) {
                Files.createDirectories(d);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the image cache " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The user's image cache: {@code ~/.cache/barco/images}. */
    public static ImageStore defaults() {
        try {
            return new ImageStore(UserCache.directory("images"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the image cache: " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** {@link #resolve(String, Path)} relative to this JVM's working directory. */
    public ImageRoot resolve(String reference) {
        return resolve(reference, Path.of("").toAbsolutePath());
    }

    /**
     * The image {@code reference} names, its layers unpacked into the cache (each checked against its
     * digest first, unless the cache has it already) and its configuration read.
     *
     * @throws ImageException when the reference, the image or one of its layers cannot be used
     */
    public ImageRoot resolve(String reference, Path base) {
        ImageReference ref = ImageReference.parse(reference, base);
        if (ref.kind() == ImageReference.Kind.CACHED) {
            return cached(reference, ref.tag());
        }
        try (ImageSource source = switch (ref.kind()) {
            case LAYOUT -> new LayoutDirectory(ref.path());
            case REGISTRY -> RegistrySource.of(ref.tag());
            default -> new ArchiveFile(ref.path());
        }) {
            ImageSource.Chosen chosen = source.choose(ref.kind() == ImageReference.Kind.REGISTRY ? null : ref.tag());
            Json config = chosen.config();
            List<String> diffIds =
                    config.object("rootfs").map(r -> r.strings("diff_ids")).orElse(List.of());
            if (diffIds.size() != chosen.layers().size()) {
                throw new ImageException("image " + chosen.id() + " in " + source.describe() + " has "
                        + chosen.layers().size() + " layers and its config " + diffIds.size()
                        + " diff_ids: the image is corrupt");
            }
            if (diffIds.isEmpty() || diffIds.size() > MAX_LAYERS) {
                throw new ImageException("image " + chosen.id() + " in " + source.describe() + " has " + diffIds.size()
                        + " layers: barco takes 1 to " + MAX_LAYERS);
            }
            List<Digest> layerIds = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < diffIds.size(); i++) {
                Digest diffId = Digest.parse(diffIds.get(i), "layer " + (i + 1) + " of " + config.what());
                ImageSource.Layer layer = chosen.layers().get(i);
                String name = (i + 1) + " of " + diffIds.size() + " (" + diffId.shortHex() + ") of " + reference;
                total += layer(source, layer, diffId, name);
                layerIds.add(diffId);
            }
            Config c = Config.of(config);
            Record record = new Record(
                    chosen.id().hex(),
                    List.of(reference),
                    layerIds.stream().map(Digest::hex).toList(),
                    total,
                    c);
            writeRecord(record);
            return record.root(this, reference);
        } catch (IOException e) {
            throw new ImageException("image " + reference + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The configuration's defaults barco uses. */
    record Config(List<String> env, String workdir, String user, List<String> entrypoint, List<String> cmd) {
        static Config of(Json config) {
            Optional<Json> c = config.object("config");
            return new Config(
                    c.map(j -> j.strings("Env")).orElse(List.of()),
                    c.flatMap(j -> j.string("WorkingDir")).orElse(null),
                    c.flatMap(j -> j.string("User")).orElse(null),
                    c.map(j -> j.strings("Entrypoint")).orElse(List.of()),
                    c.map(j -> j.strings("Cmd")).orElse(List.of()));
        }
    }

    /** What the cache knows of an image: enough to launch it again by its id without its source. */
    public record Record(String id, List<String> references, List<String> layers, long bytes, Config config) {
        ImageRoot root(ImageStore store, String reference) {
            return new ImageRoot(
                    reference,
                    "sha256:" + id,
                    layers.stream().map(store::layerRoot).toList(),
                    config.env(),
                    config.workdir(),
                    config.user(),
                    config.entrypoint(),
                    config.cmd());
        }

        public String shortId() {
            return id.substring(0, 12);
        }
    }

    Path layerRoot(String hex) {
        return layers.resolve(hex).resolve("root");
    }

    private boolean published(Digest diffId) {
        Path layer = layers.resolve(diffId.hex());
        return Files.isDirectory(layer.resolve("root"), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(layer.resolve("size"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Unpacks a layer unless the cache has it; returns its size in bytes. */
    private long layer(ImageSource source, ImageSource.Layer layer, Digest diffId, String name) throws IOException {
        if (published(diffId)) {
            return size(diffId);
        }
        Object jvmLock = JVM_LOCKS.computeIfAbsent(diffId.hex(), k -> new Object());
        synchronized (jvmLock) {
            try (FileChannel lockFile = FileChannel.open(
                            locks.resolve(diffId.hex() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS);
                    FileLock ignored = lockFile.lock()) {
                if (published(diffId)) {
                    return size(diffId);
                }
                return unpack(source, layer, diffId, name);
            }
        }
    }

    private long size(Digest diffId) {
        try {
            return Long.parseLong(Files.readString(layers.resolve(diffId.hex()).resolve("size"))
                    .trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private long unpack(ImageSource source, ImageSource.Layer layer, Digest diffId, String name) throws IOException {
        Path work = tmp.resolve("unpack-" + LauncherIdentity.self() + "-" + UUID.randomUUID());
        Files.createDirectory(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        boolean done = false;
        try {
            Path root = Files.createDirectory(work.resolve("root"));
            InputStream raw = source.open(layer.blob());
            if (raw == null) {
                throw new ImageException("layer " + name + " (" + layer.blob() + ") is missing from "
                        + source.describe() + ": the image is incomplete");
            }
            long bytes;
            try (raw) {
                VerifyingInputStream blob =
                        new VerifyingInputStream(raw, layer.digest(), layer.size(), "layer " + name);
                BufferedInputStream buffered = new BufferedInputStream(blob, 65536);
                InputStream tar = decompressed(buffered, name);
                VerifyingInputStream diff = tar == buffered
                        ? null
                        : new VerifyingInputStream(tar, diffId, -1, "layer " + name + " uncompressed");
                try {
                    bytes = LayerUnpacker.unpack(diff == null ? buffered : diff, root, name, limits);
                    if (diff != null) {
                        diff.verify();
                    }
                    blob.verify();
                    if (diff == null && !layer.digest().equals(diffId)) {
                        throw new ImageException("layer " + name + " is uncompressed, yet its digest " + layer.digest()
                                + " is not its diff_id " + diffId + ": the image is corrupt");
                    }
                } catch (VerifyingInputStream.ImageIntegrityException | LayerUnpacker.RefusedEntryException e) {
                    throw new ImageException(e.getMessage());
                } catch (java.nio.file.FileSystemException e) {
                    // the cache's filesystem, not the blob: full, or refusing a device node or an xattr
                    throw new ImageException(
                            "layer " + name + " cannot be unpacked into the cache " + dir + ": " + e.getMessage(), e);
                } catch (IOException e) {
                    // a tar or gzip cut short or malformed: say what the blob is, if its digest says more
                    throw new ImageException("layer " + name + " cannot be unpacked ("
                            + Digest.abbreviate(e.getMessage()) + "): the blob is corrupt or truncated");
                }
            }
            Files.writeString(work.resolve("size"), Long.toString(bytes) + "\n");
            publish(work, layers.resolve(diffId.hex()));
            done = true;
            return bytes;
        } finally {
            if (!done) {
                UntrustedFiles.deleteTree(work);
            }
        }
    }

    /** gzip, or an uncompressed tar; zstd is refused. */
    private static InputStream decompressed(BufferedInputStream in, String name) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in, true);
        }
        if (magic.length == 4
                && (magic[0] & 0xff) == 0x28
                && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            throw new ImageException("layer " + name + " is zstd-compressed, which barco does not unpack yet: "
                    + "give the image with gzip or uncompressed layers");
        }
        return in;
    }

    /** One rename; a layer another JVM published meanwhile is kept, and this copy removed. */
    private static void publish(Path work, Path target) throws IOException {
        try {
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw e;
        } catch (FileSystemException e) {
            if (!Files.isDirectory(target.resolve("root"), LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            UntrustedFiles.deleteTree(work); // the other JVM's copy won; it is the same content
        }
    }

    private ImageRoot cached(String reference, String hexPrefix) {
        List<Record> matches =
                list().stream().filter(r -> r.id().startsWith(hexPrefix)).toList();
        if (matches.isEmpty()) {
            throw new ImageException("no image " + reference + " in the cache " + images
                    + ": see barco images, or give the image's layout or archive");
        }
        if (matches.size() > 1) {
            throw new ImageException("image id " + reference + " is the start of " + matches.size()
                    + " cached images' ids: give more of it");
        }
        ImageRoot root = matches.get(0).root(this, reference);
        for (Path layer : root.layers()) {
            if (!Files.isDirectory(layer, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException("image " + reference + " lacks its layer " + layer
                        + " in the cache: give the image's layout or archive to unpack it again");
            }
        }
        return root;
    }

    private void writeRecord(Record record) throws IOException {
        Path file = images.resolve(record.id() + ".json");
        Set<String> references = new LinkedHashSet<>(record.references());
        read(file).ifPresent(old -> references.addAll(old.references()));
        JsonObject o = new JsonObject();
        o.addProperty("id", record.id());
        JsonArray refs = new JsonArray();
        references.forEach(refs::add);
        o.add("references", refs);
        JsonArray ls = new JsonArray();
        record.layers().forEach(ls::add);
        o.add("layers", ls);
        o.addProperty("bytes", record.bytes());
        JsonObject c = new JsonObject();
        c.add("Env", array(record.config().env()));
        if (record.config().workdir() != null) {
            c.addProperty("WorkingDir", record.config().workdir());
        }
        if (record.config().user() != null) {
            c.addProperty("User", record.config().user());
        }
        c.add("Entrypoint", array(record.config().entrypoint()));
        c.add("Cmd", array(record.config().cmd()));
        o.add("config", c);
        Path part = tmp.resolve("record-" + LauncherIdentity.self() + "-" + UUID.randomUUID());
        Files.writeString(part, o.toString(), StandardCharsets.UTF_8);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonArray array(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private Optional<Record> read(Path file) {
        try {
            Json j = Json.parse(UntrustedFiles.read(file, Json.MAX_BYTES), "cache record " + file);
            List<String> layerIds = j.strings("layers");
            layerIds.forEach(Digest::new); // each a digest's hex: never a path
            return Optional.of(new Record(
                    new Digest(j.requiredString("id")).hex(),
                    j.strings("references"),
                    layerIds,
                    j.size("bytes"),
                    Config.of(j))); // the record keeps the configuration's fields under "config", as an image's does
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The images in the cache, as {@code barco images} lists them. */
    public List<Record> list() {
        List<Record> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(images, "*.json")) {
            for (Path f : files) {
                read(f).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(java.util.Comparator.comparing(
                r -> r.references().isEmpty() ? "" : r.references().get(0)));
        return out;
    }

    /**
     * Forgets the images {@code reference} names (an id, or its start of 12 or more digits, or a
     * reference as it was resolved) and removes the layers no other image has; returns the images.
     */
    public List<Record> remove(String reference) throws IOException {
        String hex = reference.startsWith("sha256:") ? reference.substring(7) : reference;
        List<Record> all = list();
        List<Record> gone = all.stream()
                .filter(r -> (hex.length() >= 12 && r.id().startsWith(hex))
                        || r.references().contains(reference))
                .toList();
        if (gone.isEmpty()) {
            throw new ImageException("no image " + reference + " in the cache: see barco images");
        }
        Set<String> kept = new HashSet<>();
        all.stream().filter(r -> !gone.contains(r)).forEach(r -> kept.addAll(r.layers()));
        for (Record r : gone) {
            Files.deleteIfExists(images.resolve(r.id() + ".json"));
            for (String layer : r.layers()) {
                if (!kept.contains(layer)) {
                    removeLayer(layer);
                }
            }
        }
        return gone;
    }

    /** Moved aside in one rename, then removed: a resolve sees a layer whole or not at all. */
    private boolean removeLayer(String hex) throws IOException {
        Path trash = tmp.resolve("trash-" + LauncherIdentity.self() + "-" + UUID.randomUUID());
        try {
            Files.move(layers.resolve(hex), trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        UntrustedFiles.deleteTree(trash);
        return true;
    }

    /**
     * {@code barco gc}'s part: what JVMs that died left under {@code tmp/}, and layers no image in
     * the cache names (after {@link #UNREFERENCED_GRACE}, so that an image being resolved keeps them).
     */
    public List<Path> collect() throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                Matcher m = TEMP.matcher(entry.getFileName().toString());
                if (m.matches() && !LauncherIdentity.alive(Long.parseLong(m.group(2)), m.group(3))) {
                    UntrustedFiles.deleteTree(entry);
                    removed.add(entry);
                }
            }
        }
        Set<String> referenced = new HashSet<>();
        list().forEach(r -> referenced.addAll(r.layers()));
        Instant cutoff = Instant.now().minus(UNREFERENCED_GRACE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layers)) {
            for (Path entry : entries) {
                String hex = entry.getFileName().toString();
                Path size = entry.resolve("size");
                FileTime made = Files.exists(size, LinkOption.NOFOLLOW_LINKS)
                        ? Files.getLastModifiedTime(size, LinkOption.NOFOLLOW_LINKS)
                        : FileTime.from(Instant.EPOCH);
                if (!referenced.contains(hex) && made.toInstant().isBefore(cutoff) && removeLayer(hex)) {
                    removed.add(entry);
                }
            }
        }
        return removed;
    }
}
