package io.barco.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Images built by a test, byte by byte: layers as tar streams written with Commons Compress (hostile
 * ones too), then an OCI image layout directory, an OCI archive or a docker save archive of them.
 */
public final class OciImages {
    /** One layer's tar, entry by entry. */
    public static final class Layer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar;

        public Layer() {
            tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        private Layer add(TarArchiveEntry e, byte[] data) {
            e.setModTime(1_767_225_600_000L); // 2026-01-01: a layer built twice is the same layer
            try {
                tar.putArchiveEntry(e);
                if (data != null) {
                    tar.write(data);
                }
                tar.closeArchiveEntry();
                return this;
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        public Layer dir(String name) {
            return dir(name, 0755, 0, 0);
        }

        public Layer dir(String name, int mode, long uid, long gid) {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040000 | mode);
            e.setUserId(uid);
            e.setGroupId(gid);
            return add(e, null);
        }

        public Layer file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
        }

        public Layer file(String name, byte[] content, int mode, long uid, long gid) {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setMode(0100000 | mode);
            e.setSize(content.length);
            e.setUserId(uid);
            e.setGroupId(gid);
            return add(e, content);
        }

        public Layer symlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            return add(e, null);
        }

        public Layer hardLink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(target);
            return add(e, null);
        }

        public Layer device(String name, int major, int minor) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR, true);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            return add(e, null);
        }

        /** A whiteout of {@code name} (in its directory): {@code .wh.NAME}. */
        public Layer whiteout(String name) {
            int slash = name.lastIndexOf('/');
            return file(name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1), "");
        }

        public Layer opaque(String dir) {
            return file(dir + "/.wh..wh..opq", "");
        }

        /** Applies {@code body} to this layer. */
        public Layer with(Consumer<Layer> body) {
            body.accept(this);
            return this;
        }

        private byte[] finished;

        public byte[] tar() {
            try {
                if (finished == null) {
                    tar.finish();
                    finished = bytes.toByteArray();
                }
                return finished;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final Path BUSYBOX = Path.of("/bin/busybox");

    /** The host's busybox, statically linked (CI installs busybox-static): the image's only program. */
    public static OciImages.Layer busyboxLayer() throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IllegalStateException(BUSYBOX + " is missing: install busybox-static (.ci/run does)");
        }
        return new OciImages.Layer()
                .dir("bin")
                .file("bin/busybox", Files.readAllBytes(BUSYBOX), 0755, 0, 0)
                .symlink("bin/sh", "busybox")
                .dir("etc")
                .file("etc/os-release", "ID=barco-it\nPRETTY_NAME=\"barco's test image\"\n")
                .file("etc/gone", "whited out above\n")
                .dir("srv/a")
                .file("srv/a/old", "hidden by the opaque directory above\n")
                .dir("home/u", 0750, 1000, 1000)
                .file("home/u/notes", "u's\n".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000)
                .file("shared", "base\n")
                // a link out of the root: inside, it resolves inside
                .symlink("escape", "/etc/shadow");
    }

    public static OciImages.Layer topLayer() {
        return new OciImages.Layer()
                .whiteout("etc/gone")
                .opaque("srv/a")
                .file("srv/a/new", "new\n")
                .dir("data")
                .file("data/x", "linked\n")
                .hardLink("data/y", "data/x");
    }

    /**
     * The integration tests' image: the two layers above, gzip-compressed, with PATH=/bin, GREETING,
     * WorkingDir /srv and a Cmd, tagged 1.
     */
    public static OciImages busyboxImage() throws IOException {
        return new OciImages()
                .layer(busyboxLayer(), true)
                .layer(topLayer(), true)
                .env("PATH=/bin", "GREETING=hello from the image")
                .workdir("/srv")
                .cmd("/bin/sh", "-c", "echo from the image\\'s Cmd")
                .tag("1");
    }

    /** What a layer is stored as in the image. */
    public record Blob(byte[] bytes, String mediaType, String diffId) {}

    private final List<Blob> layers = new ArrayList<>();
    private final JsonObject config = new JsonObject();
    private String tag = "1";

    public OciImages() {
        config.addProperty("architecture", "amd64");
        config.addProperty("os", "linux");
        config.add("config", new JsonObject());
    }

    public OciImages layer(Layer layer, boolean gzip) {
        byte[] tar = layer.tar();
        String diffId = "sha256:" + sha256(tar);
        if (!gzip) {
            layers.add(new Blob(tar, "application/vnd.oci.image.layer.v1.tar", diffId));
            return this;
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GzipCompressorOutputStream(gz)) {
            out.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        layers.add(new Blob(gz.toByteArray(), "application/vnd.oci.image.layer.v1.tar+gzip", diffId));
        return this;
    }

    public List<Blob> layers() {
        return layers;
    }

    public OciImages env(String... env) {
        JsonArray a = new JsonArray();
        for (String e : env) {
            a.add(e);
        }
        config.getAsJsonObject("config").add("Env", a);
        return this;
    }

    public OciImages workdir(String dir) {
        config.getAsJsonObject("config").addProperty("WorkingDir", dir);
        return this;
    }

    public OciImages user(String user) {
        config.getAsJsonObject("config").addProperty("User", user);
        return this;
    }

    public OciImages cmd(String... cmd) {
        JsonArray a = new JsonArray();
        for (String c : cmd) {
            a.add(c);
        }
        config.getAsJsonObject("config").add("Cmd", a);
        return this;
    }

    public OciImages tag(String tag) {
        this.tag = tag;
        return this;
    }

    private byte[] configBytes() {
        JsonObject c = config.deepCopy();
        JsonObject rootfs = new JsonObject();
        rootfs.addProperty("type", "layers");
        JsonArray ids = new JsonArray();
        layers.forEach(l -> ids.add(l.diffId()));
        rootfs.add("diff_ids", ids);
        c.add("rootfs", rootfs);
        return c.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject descriptor(String mediaType, byte[] bytes) {
        JsonObject d = new JsonObject();
        d.addProperty("mediaType", mediaType);
        d.addProperty("digest", "sha256:" + sha256(bytes));
        d.addProperty("size", bytes.length);
        return d;
    }

    /** The image manifest: its configuration's and layers' descriptors. */
    public byte[] manifest() {
        JsonObject manifest = new JsonObject();
        manifest.addProperty("schemaVersion", 2);
        manifest.addProperty("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.add("config", descriptor("application/vnd.oci.image.config.v1+json", configBytes()));
        JsonArray ls = new JsonArray();
        for (Blob b : layers) {
            ls.add(descriptor(b.mediaType(), b.bytes()));
        }
        manifest.add("layers", ls);
        return manifest.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The files of the OCI layout, by name: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/HEX}. */
    public Map<String, byte[]> layoutFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        for (Blob b : layers) {
            files.put("blobs/sha256/" + sha256(b.bytes()), b.bytes());
        }
        byte[] cfg = configBytes();
        files.put("blobs/sha256/" + sha256(cfg), cfg);
        byte[] m = manifest();
        files.put("blobs/sha256/" + sha256(m), m);
        JsonObject index = new JsonObject();
        index.addProperty("schemaVersion", 2);
        JsonArray ms = new JsonArray();
        JsonObject md = descriptor("application/vnd.oci.image.manifest.v1+json", m);
        JsonObject annotations = new JsonObject();
        annotations.addProperty("org.opencontainers.image.ref.name", tag);
        md.add("annotations", annotations);
        ms.add(md);
        index.add("manifests", ms);
        files.put("index.json", index.toString().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /**
     * Pushes the image to a registry ({@code http://127.0.0.1:PORT}) as {@code name:tag} through the
     * distribution API, as docker push does: each blob uploaded whole, then the manifest.
     */
    public void push(java.net.URI registry, String name, String tag) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<byte[]> blobs = new ArrayList<>();
        layers.forEach(l -> blobs.add(l.bytes()));
        blobs.add(configBytes());
        for (byte[] blob : blobs) {
            java.net.http.HttpResponse<String> start = http.send(
                    java.net.http.HttpRequest.newBuilder(registry.resolve("/v2/" + name + "/blobs/uploads/"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (start.statusCode() != 202) {
                throw new IOException("upload start: " + start.statusCode() + " " + start.body());
            }
            String location = start.headers().firstValue("Location").orElseThrow();
            java.net.URI put =
                    registry.resolve(location + (location.contains("?") ? "&" : "?") + "digest=sha256:" + sha256(blob));
            java.net.http.HttpResponse<String> done = http.send(
                    java.net.http.HttpRequest.newBuilder(put)
                            .header("Content-Type", "application/octet-stream")
                            .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(blob))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (done.statusCode() != 201) {
                throw new IOException("upload: " + done.statusCode() + " " + done.body());
            }
        }
        java.net.http.HttpResponse<String> manifest = http.send(
                java.net.http.HttpRequest.newBuilder(registry.resolve("/v2/" + name + "/manifests/" + tag))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(manifest()))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (manifest.statusCode() != 201) {
            throw new IOException("manifest: " + manifest.statusCode() + " " + manifest.body());
        }
    }

    /** The manifest's digest, the image's id in barco's cache. */
    public String id() {
        return sha256(manifest());
    }

    public Path writeLayout(Path dir) throws IOException {
        for (Map.Entry<String, byte[]> f : layoutFiles().entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        return dir;
    }

    public Path writeOciArchive(Path file) throws IOException {
        return writeTar(file, layoutFiles());
    }

    /** docker save's format: manifest.json, the config named by its digest, each layer an uncompressed tar. */
    public Path writeDockerArchive(Path file, String repoTag) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] cfg = configBytes();
        String cfgName = sha256(cfg) + ".json";
        files.put(cfgName, cfg);
        JsonArray layerNames = new JsonArray();
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + "/layer.tar";
            Blob b = layers.get(i);
            if (b.mediaType().endsWith("+gzip")) {
                throw new IllegalArgumentException("docker save layers are uncompressed");
            }
            files.put(name, b.bytes());
            layerNames.add(name);
        }
        JsonObject entry = new JsonObject();
        entry.addProperty("Config", cfgName);
        JsonArray tags = new JsonArray();
        tags.add(repoTag);
        entry.add("RepoTags", tags);
        entry.add("Layers", layerNames);
        JsonArray manifest = new JsonArray();
        manifest.add(entry);
        files.put("manifest.json", manifest.toString().getBytes(StandardCharsets.UTF_8));
        return writeTar(file, files);
    }

    private static Path writeTar(Path file, Map<String, byte[]> files) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
