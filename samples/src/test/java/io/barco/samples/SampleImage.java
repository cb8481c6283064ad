package io.barco.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A one-layer OCI image made of files of this machine, as an image build makes one without a daemon:
 * the layer a gzip-compressed tar, then the configuration (Env, WorkingDir) and the manifest. It is
 * pushed to a registry through the OCI distribution API, as {@code docker push} does, or written as
 * an OCI archive file, as {@code skopeo copy ... oci-archive:FILE:TAG} does.
 */
final class SampleImage {
    private final ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes, "UTF-8");
    private final Set<String> made = new HashSet<>();
    private final List<String> env = new ArrayList<>();
    private String workdir = "/";
    private Map<String, byte[]> blobs;
    private byte[] manifest;

    SampleImage() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    /** The host's static busybox as /bin/sh, an /etc/os-release, PATH and a greeting, and /srv/app to work in. */
    static SampleImage alpineLike() throws IOException {
        return new SampleImage()
                .copy(Path.of("/bin/busybox"), "bin/busybox")
                .symlink("bin/sh", "busybox")
                .file("etc/os-release", "ID=alpine-like\nPRETTY_NAME=\"barco's alpine-like sample\"\n", 0644)
                .env("PATH=/bin", "GREETING=hello from the image")
                .workdir("/srv/app");
    }

    SampleImage file(String path, String content, int mode) {
        return add(entry(path, TarConstants.LF_NORMAL, mode), content.getBytes(StandardCharsets.UTF_8));
    }

    /** A file of this machine, at {@code path} in the image: its content, and whether it is executable. */
    SampleImage copy(Path hostFile, String path) throws IOException {
        return add(
                entry(path, TarConstants.LF_NORMAL, Files.isExecutable(hostFile) ? 0755 : 0644),
                Files.readAllBytes(hostFile.toRealPath()));
    }

    SampleImage symlink(String path, String target) {
        TarArchiveEntry e = entry(path, TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        return add(e, null);
    }

    /**
     * A dynamically linked program of this machine, at the same path, with every shared library
     * {@code ldd} names and the dynamic loader, each at the path {@code ldd} gives: all it needs to
     * run in an image that has nothing else.
     */
    SampleImage program(Path program) throws IOException, InterruptedException {
        Process ldd = new ProcessBuilder("ldd", program.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (ldd.waitFor() != 0) {
            throw new IllegalStateException("ldd " + program + " failed: " + out);
        }
        copy(program, program.toString().substring(1));
        for (String line : out.split("\n")) {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)"
            String[] words = line.trim().split("\\s+");
            String library = words.length >= 3 && words[1].equals("=>") ? words[2] : words[0];
            if (library.startsWith("/")) {
                copy(Path.of(library), library.substring(1));
            }
        }
        return this;
    }

    SampleImage env(String... variables) {
        env.addAll(List.of(variables));
        return this;
    }

    SampleImage workdir(String dir) {
        directories(dir.substring(1) + "/x");
        workdir = dir;
        return this;
    }

    private static TarArchiveEntry entry(String path, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(path, type, true);
        e.setMode((type == TarConstants.LF_SYMLINK ? 0120000 : 0100000) | mode);
        e.setModTime(0);
        return e;
    }

    private SampleImage add(TarArchiveEntry e, byte[] content) {
        directories(e.getName());
        if (!made.add(e.getName())) {
            return this;
        }
        try {
            if (content != null) {
                e.setSize(content.length);
            }
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /** The parent directories of {@code path}, each once, before it. */
    private void directories(String path) {
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String dir = path.substring(0, slash + 1);
            if (made.add(dir)) {
                TarArchiveEntry e = new TarArchiveEntry(dir);
                e.setMode(040755);
                e.setModTime(0);
                try {
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }

    /** The image's blobs (layer, configuration, manifest) by digest, made once all is added. */
    private synchronized Map<String, byte[]> blobs() throws IOException {
        if (blobs != null) {
            return blobs;
        }
        tar.finish();
        byte[] layer = tarBytes.toByteArray();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(layer);
        }
        byte[] compressed = gz.toByteArray();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":["
                        + String.join(",", env.stream().map(SampleImage::quote).toList()) + "],\"WorkingDir\":"
                        + quote(workdir) + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                        + sha256(layer) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", config)
                        + ",\"layers\":[" + descriptor("application/vnd.oci.image.layer.v1.tar+gzip", compressed)
                        + "]}")
                .getBytes(StandardCharsets.UTF_8);
        blobs = new LinkedHashMap<>();
        blobs.put(sha256(compressed), compressed);
        blobs.put(sha256(config), config);
        return blobs;
    }

    /** Pushes the image to {@code registry} ({@code http://HOST:PORT}) as {@code name:tag}: each blob, then the manifest. */
    void push(URI registry, String name, String tag) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, byte[]> blob : blobs().entrySet()) {
            HttpResponse<String> upload = http.send(
                    HttpRequest.newBuilder(registry.resolve("/v2/" + name + "/blobs/uploads/"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String location = upload.headers().firstValue("Location").orElse("");
            String query = (location.contains("?") ? "&" : "?") + "digest=sha256:" + blob.getKey();
            expect(
                    201,
                    http.send(
                            HttpRequest.newBuilder(registry.resolve(location + query))
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.getValue()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        expect(
                201,
                http.send(
                        HttpRequest.newBuilder(registry.resolve("/v2/" + name + "/manifests/" + tag))
                                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
    }

    /** Writes the image as an OCI archive file: the layout (oci-layout, index.json, blobs/sha256/) in a tar. */
    Path writeOciArchive(Path file, String tag) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        blobs().forEach((hex, bytes) -> files.put("blobs/sha256/" + hex, bytes));
        files.put("blobs/sha256/" + sha256(manifest), manifest);
        String annotations = "\"annotations\":{\"org.opencontainers.image.ref.name\":" + quote(tag) + "}";
        files.put(
                "index.json",
                ("{\"schemaVersion\":2,\"manifests\":["
                                + descriptor("application/vnd.oci.image.manifest.v1+json", manifest)
                                        .replaceFirst("}$", "," + annotations + "}")
                                + "]}")
                        .getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                out.putArchiveEntry(e);
                out.write(f.getValue());
                out.closeArchiveEntry();
            }
        }
        return file;
    }

    private static void expect(int status, HttpResponse<String> response) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(response.request().method() + " " + response.uri() + ": " + response.statusCode()
                    + " " + response.body());
        }
    }

    private static String descriptor(String mediaType, byte[] bytes) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"sha256:" + sha256(bytes) + "\",\"size\":"
                + bytes.length + "}";
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
