package io.barco.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * An image archive: an OCI layout in a tar file ({@code oci-layout} and {@code index.json} at its top),
 * or {@code docker save}'s ({@code manifest.json}, each layer a tar whose digest the configuration's
 * {@code rootfs.diff_ids} gives). Read in place: random access to each blob through {@link TarFile},
 * never extracted; a link inside the archive (docker save links a repeated layer) is followed by name,
 * within the archive only.
 */
final class ArchiveFile extends OciSource {
    private static final int MAX_ENTRIES = 100_000;

    private final Path file;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();
    private final boolean oci;

    ArchiveFile(Path file) throws IOException {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            throw new ImageException(file + " is not an image archive file");
        }
        try (InputStream head = Files.newInputStream(file)) {
            byte[] magic = head.readNBytes(4);
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                throw new ImageException(file + " is gzip-compressed: decompress it (gunzip) and give the tar file");
            }
        }
        try {
            this.tar = new TarFile(file);
        } catch (IOException | RuntimeException e) {
            throw new ImageException(file + " is not a tar archive (" + Digest.abbreviate(e.getMessage())
                    + "): give an OCI or docker save archive");
        }
        List<TarArchiveEntry> all = tar.getEntries();
        if (all.size() > MAX_ENTRIES) {
            tar.close();
            throw new ImageException(file + " has more than " + MAX_ENTRIES + " entries: it is not an image archive");
        }
        for (TarArchiveEntry e : all) {
            entries.put(normalize(e.getName()), e);
        }
        this.oci = entries.containsKey("index.json") && entries.containsKey("oci-layout");
        if (!oci && !entries.containsKey("manifest.json")) {
            tar.close();
            throw new ImageException(
                    file
                            + " has neither index.json and oci-layout nor manifest.json: it is not an OCI or docker save archive");
        }
    }

    private static String normalize(String name) {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    return "\0"; // names nothing in the archive
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }

    @Override
    String describe() {
        return file.toString();
    }

    private TarArchiveEntry entry(String name) {
        TarArchiveEntry e = entries.get(normalize(name));
        for (int hops = 0; e != null && e.isSymbolicLink() && hops < 8; hops++) {
            String n = normalize(e.getName());
            String dir = n.contains("/") ? n.substring(0, n.lastIndexOf('/') + 1) : "";
            String link = e.getLinkName();
            e = link.startsWith("/") ? null : entries.get(normalize(dir + link));
        }
        return e != null && e.isFile() ? e : null;
    }

    @Override
    InputStream open(String name) throws IOException {
        TarArchiveEntry e = entry(name);
        return e == null ? null : tar.getInputStream(e);
    }

    @Override
    boolean has(String name) {
        return entry(name) != null;
    }

    @Override
    Chosen choose(String tag) throws IOException {
        return oci ? super.choose(tag) : chooseDocker(tag);
    }

    /** docker save's manifest.json: one entry per image, its config named by its digest. */
    private Chosen chooseDocker(String tag) throws IOException {
        byte[] bytes;
        try (InputStream in = open("manifest.json")) {
            bytes = in.readNBytes(Json.MAX_BYTES + 1);
        }
        // manifest.json is an array: wrap it to read it as an object
        byte[] wrapped = new byte[bytes.length + 14];
        System.arraycopy("{\"images\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, wrapped, 0, 10);
        System.arraycopy(bytes, 0, wrapped, 10, bytes.length);
        System.arraycopy(
                "\n}  ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, wrapped, 10 + bytes.length, 4);
        List<Json> images =
                Json.parse(wrapped, "manifest.json of " + describe()).objects("images");
        Json image = null;
        if (tag == null) {
            if (images.size() != 1) {
                throw new ImageException(
                        describe() + " holds " + images.size() + " images: name one, as " + describe() + ":NAME:TAG");
            }
            image = images.get(0);
        } else {
            for (Json i : images) {
                if (i.strings("RepoTags").stream().anyMatch(t -> t.equals(tag) || t.endsWith("/" + tag))) {
                    image = i;
                }
            }
            if (image == null) {
                throw new ImageException(describe() + " has no image tagged '" + Digest.abbreviate(tag) + "'");
            }
        }
        String configName = image.requiredString("Config");
        String base = configName.substring(configName.lastIndexOf('/') + 1);
        String hex = base.endsWith(".json") ? base.substring(0, base.length() - 5) : base;
        Digest configDigest;
        try {
            configDigest = new Digest(hex);
        } catch (IllegalArgumentException e) {
            throw new ImageException("the config " + Digest.abbreviate(configName) + " of " + describe()
                    + " is not named by its digest, so barco cannot check it");
        }
        byte[] configBytes;
        InputStream raw = open(configName);
        if (raw == null) {
            throw new ImageException("the config " + configName + " is missing from " + describe());
        }
        try (raw;
                VerifyingInputStream in = new VerifyingInputStream(raw, configDigest, -1, "config " + configDigest)) {
            configBytes = in.readNBytes(Json.MAX_BYTES + 1);
            if (configBytes.length > Json.MAX_BYTES) {
                throw new ImageException("config " + configDigest + " is more than " + Json.MAX_BYTES
                        + " bytes: the image is not one barco takes");
            }
            in.verify();
        } catch (VerifyingInputStream.ImageIntegrityException e) {
            throw new ImageException(e.getMessage() + " (in " + describe() + ")");
        }
        Json config = Json.parse(configBytes, "config " + configDigest);
        List<String> diffIds =
                config.object("rootfs").map(r -> r.strings("diff_ids")).orElse(List.of());
        List<String> layerNames = image.strings("Layers");
        if (diffIds.size() != layerNames.size()) {
            throw new ImageException("config " + configDigest + " lists " + diffIds.size() + " layers and " + describe()
                    + "'s manifest.json " + layerNames.size() + ": the archive is corrupt");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            Digest d = Digest.parse(diffIds.get(i), "layer " + (i + 1) + " of config " + configDigest);
            TarArchiveEntry e = entry(layerNames.get(i));
            layers.add(new Layer(
                    layerNames.get(i),
                    d,
                    e == null ? -1 : e.getSize(),
                    "application/vnd.docker.image.rootfs.diff.tar"));
        }
        return new Chosen(configDigest, config, layers);
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
