package io.barco.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.barco.spec.ImageRoot;
import io.barco.sys.UntrustedFiles;
import io.barco.testing.OciImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The image cache against images built here byte by byte, hostile ones included. Unpacking makes
 * whiteouts (character devices 0/0) and sets owners: these tests run as root, as barco does.
 */
class ImageStoreTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private Path work;
    private ImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "unpacking sets owners and makes whiteouts: run as root");
        // under target/, not /tmp: the cache's filesystem needs user xattrs (tmpfs has them only from 6.6)
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "image-store-test");
        store = new ImageStore(work.resolve("cache"));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (work != null) {
            UntrustedFiles.deleteTree(work);
        }
    }

    private static OciImages.Layer base() {
        return new OciImages.Layer()
                .dir("bin")
                .file("bin/tool", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .dir("etc")
                .file("etc/os-release", "ID=test\n")
                .file("etc/gone", "hidden above\n")
                .dir("srv/a")
                .file("srv/a/old", "old\n")
                .dir("home/u", 0750, 1000, 1000)
                .file("home/u/notes", "mine\n".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000)
                .dir("var/tmp", 01777, 0, 0);
    }

    private Path layout(OciImages image) throws IOException {
        return image.writeLayout(Files.createTempDirectory(work, "layout"));
    }

    private List<Path> entries(String dir) throws IOException {
        try (Stream<Path> s = Files.list(store.directory().resolve(dir))) {
            return s.toList();
        }
    }

    /** Nothing half-unpacked is left behind: no layer and no unpacking directory. */
    private void assertNothingUnpacked() throws IOException {
        assertThat(entries("layers")).isEmpty();
        assertThat(entries("tmp")).isEmpty();
        assertThat(entries("images")).isEmpty();
    }

    @Test
    void aLayoutResolvesToItsLayersWithWhiteoutsOpaqueDirectoriesOwnersAndItsConfiguration() throws Exception {
        OciImages image = new OciImages()
                .layer(base(), true)
                .layer(OciImages.topLayer(), false)
                .env("PATH=/bin", "GREETING=hello")
                .workdir("/srv")
                .user("1000:1000")
                .cmd("/bin/tool", "run")
                .tag("1");
        Path layout = layout(image);

        ImageRoot root = store.resolve("oci:" + layout + ":1");

        assertThat(root.id()).isEqualTo("sha256:" + image.id());
        assertThat(root.layers()).hasSize(2);
        assertThat(root.env()).containsExactly("PATH=/bin", "GREETING=hello");
        assertThat(root.workdir()).isEqualTo("/srv");
        assertThat(root.user()).isEqualTo("1000:1000");
        assertThat(root.defaultCommand()).containsExactly("/bin/tool", "run");
        Path bottom = root.layers().get(0);
        Path upper = root.layers().get(1);
        assertThat(Files.readString(bottom.resolve("etc/os-release"))).isEqualTo("ID=test\n");
        assertThat((Integer) Files.getAttribute(bottom.resolve("bin/tool"), "unix:mode") & 07777)
                .as("setuid dropped")
                .isEqualTo(0755);
        assertThat((Integer) Files.getAttribute(bottom.resolve("var/tmp"), "unix:mode") & 07777)
                .as("sticky kept")
                .isEqualTo(01777);
        assertThat(Files.getAttribute(bottom.resolve("home/u/notes"), "unix:uid"))
                .as("owners are the image's own, unshifted: the launch idmaps them")
                .isEqualTo(1000);
        assertThat(Files.getAttribute(bottom.resolve("etc/os-release"), "unix:uid"))
                .isEqualTo(0);
        Path whiteout = upper.resolve("etc/gone");
        assertThat((Integer) Files.getAttribute(whiteout, "unix:mode", NOFOLLOW) & 0170000)
                .as("a character device")
                .isEqualTo(0020000);
        assertThat(Files.getAttribute(whiteout, "unix:rdev", NOFOLLOW)).isEqualTo(0L);
        UserDefinedFileAttributeView xattrs =
                Files.getFileAttributeView(upper.resolve("srv/a"), UserDefinedFileAttributeView.class, NOFOLLOW);
        ByteBuffer opaque = ByteBuffer.allocate(8);
        xattrs.read("overlay.opaque", opaque);
        assertThat(new String(opaque.array(), 0, opaque.position(), StandardCharsets.US_ASCII))
                .isEqualTo("y");
        assertThat(Files.exists(upper.resolve("srv/a/.wh..wh..opq"), NOFOLLOW)).isFalse();
        assertThat(Files.getAttribute(upper.resolve("data/y"), "unix:ino"))
                .isEqualTo(Files.getAttribute(upper.resolve("data/x"), "unix:ino"));
        assertThat(store.list()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(image.id());
            assertThat(r.references()).containsExactly("oci:" + layout + ":1");
        });
        assertThat(entries("tmp")).isEmpty();
    }

    @Test
    void aLayerIsUnpackedOnceAndSharedByImagesAndFormatsAndACachedImageResolvesByItsId() throws Exception {
        OciImages.Layer shared = base();
        OciImages one = new OciImages().layer(shared, false).tag("one");
        Path layout = layout(one);
        ImageRoot first = store.resolve("oci:" + layout);
        OciImages two = new OciImages()
                .layer(shared, false)
                .layer(new OciImages.Layer().file("two", "2\n"), false)
                .tag("two");
        // the same base layer, from a docker save archive: keyed by its uncompressed digest, stored once
        Path archive = two.writeDockerArchive(work.resolve("two.tar"), "barco/two:1");
        ImageRoot second = store.resolve("docker-archive:" + archive + ":barco/two:1");
        ImageRoot third =
                store.resolve(two.writeOciArchive(work.resolve("two-oci.tar")).toString());

        assertThat(second.layers().get(0)).isEqualTo(first.layers().get(0));
        assertThat(third.layers()).isEqualTo(second.layers());
        assertThat(entries("layers")).hasSize(2);
        assertThat(store.resolve(one.id().substring(0, 12)).layers()).isEqualTo(first.layers());
    }

    @Test
    void removingAnImageRemovesTheLayersNoOtherHasAndGcTheUnfinished() throws Exception {
        ImageRoot one =
                store.resolve(layout(new OciImages().layer(base(), false)).toString());
        ImageRoot two = store.resolve(layout(
                        new OciImages().layer(base(), false).layer(new OciImages.Layer().file("two", "2\n"), false))
                .toString());
        Path dead = Files.createDirectory(store.directory().resolve("tmp/unpack-999999999-1-abc"));
        Files.writeString(dead.resolve("half"), "x");

        assertThat(store.remove(two.id())).hasSize(1);
        assertThat(Files.isDirectory(two.layers().get(1))).isFalse();
        assertThat(Files.isDirectory(one.layers().get(0)))
                .as("the shared layer stays")
                .isTrue();
        assertThat(store.collect()).containsExactly(dead);
        assertThat(Files.exists(dead)).isFalse();
        assertThatThrownBy(() -> store.remove(two.id()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("no image");
    }

    @Test
    void twoThreadsUnpackingOneImageAtOnceBothSucceedWithOneCacheEntry() throws Exception {
        OciImages image = new OciImages()
                .layer(
                        new OciImages.Layer().with(l -> {
                            for (int i = 0; i < 200; i++) {
                                l.file("f/" + i, "content " + i + "\n");
                            }
                        }),
                        true)
                .layer(OciImages.topLayer(), true);
        String ref = layout(image).toString();
        int n = 4;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<ImageRoot>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // each thread its own store object, as each JVM has
                ImageStore own = new ImageStore(store.directory());
                Callable<ImageRoot> resolve = () -> {
                    start.await();
                    return own.resolve(ref);
                };
                results.add(pool.submit(resolve));
            }
            List<ImageRoot> roots = new ArrayList<>();
            for (Future<ImageRoot> f : results) {
                roots.add(f.get());
            }
            assertThat(roots)
                    .extracting(ImageRoot::layers)
                    .containsOnly(roots.get(0).layers());
        } finally {
            pool.shutdownNow();
        }
        assertThat(entries("layers")).hasSize(2);
        assertThat(entries("tmp")).isEmpty();
        assertThat(entries("images")).hasSize(1);
    }

    private void assertRefused(OciImages.Layer hostile, String... messageParts) throws IOException {
        String ref = layout(new OciImages().layer(base(), false).layer(hostile, true))
                .toString();
        assertThatThrownBy(() -> store.resolve(ref))
                .isInstanceOf(ImageException.class)
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        // the good base layer was published; the hostile one left nothing
        assertThat(entries("layers")).hasSize(1);
        assertThat(entries("tmp")).isEmpty();
        assertThat(entries("images")).isEmpty();
    }

    @Test
    void aPathThatClimbsOutOfTheLayerIsRefused() throws Exception {
        assertRefused(
                new OciImages.Layer().file("ok", "1").file("a/../../escape", "x"),
                "layer 2 of 2",
                "entry 'a/../../escape'",
                "climbs out");
    }

    @Test
    void anAbsolutePathIsRefused() throws Exception {
        assertRefused(new OciImages.Layer().file("/etc/cron.d/evil", "x"), "entry '/etc/cron.d/evil'", "absolute");
    }

    @Test
    void aDeviceNodeIsRefused() throws Exception {
        assertRefused(new OciImages.Layer().device("dev/sda", 8, 0), "entry 'dev/sda'", "device node");
    }

    @Test
    void aFileThroughASymlinkIsRefusedAndNothingIsWrittenWhereTheLinkPoints() throws Exception {
        Path outside = Files.createDirectory(work.resolve("outside"));
        assertRefused(
                new OciImages.Layer().symlink("lnk", outside.toString()).file("lnk/planted", "x"),
                "entry 'lnk/planted'",
                "under 'lnk', a link");
        assertThat(outside.resolve("planted")).doesNotExist();
    }

    @Test
    void aHardLinkOutOfTheLayerIsRefused() throws Exception {
        assertRefused(new OciImages.Layer().hardLink("shadow", "../../../etc/shadow"), "entry 'shadow'", "climbs out");
        UntrustedFiles.deleteTree(store.directory());
        store = new ImageStore(work.resolve("cache"));
        assertRefused(
                new OciImages.Layer().hardLink("passwd", "etc/os-release"),
                "entry 'passwd'",
                "hard link to 'etc/os-release', which is not a file of this layer");
    }

    @Test
    void aLayerPastTheByteCapIsRefused() throws Exception {
        store = new ImageStore(work.resolve("cache"), new LayerUnpacker.Limits(1000, 100));
        assertRefused(
                new OciImages.Layer().file("big", "x".repeat(5000)),
                "entry 'big'",
                "past the 1000 bytes barco unpacks");
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestIsRefused() throws Exception {
        OciImages image = new OciImages().layer(base(), false);
        Path layout = layout(image);
        Path blob = layout.resolve(
                "blobs/sha256/" + OciImages.sha256(image.layers().get(0).bytes()));
        byte[] bytes = Files.readAllBytes(blob);
        // a different file of the same size: the tar parses, the digest does not match
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("ID=test");
        bytes[at + 3] = 'X';
        Files.write(blob, bytes);
        assertThatThrownBy(() -> store.resolve(layout.toString()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("does not match its digest")
                .hasMessageContaining("tampered");
        assertNothingUnpacked();
    }

    @Test
    void aTruncatedBlobIsRefused() throws Exception {
        OciImages image = new OciImages().layer(base(), true);
        Path layout = layout(image);
        Path blob = layout.resolve(
                "blobs/sha256/" + OciImages.sha256(image.layers().get(0).bytes()));
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        assertThatThrownBy(() -> store.resolve(layout.toString()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("layer 1 of 1")
                .hasMessageContaining("truncated");
        assertNothingUnpacked();
    }

    @Test
    void aManifestLargerThanTheCapIsRefusedBeforeItIsRead() throws Exception {
        OciImages image = new OciImages().layer(base(), false);
        Path layout = layout(image);
        String index = Files.readString(layout.resolve("index.json"));
        Files.writeString(layout.resolve("index.json"), index.replaceFirst("\"size\":\\d+", "\"size\":5000000000"));
        assertThatThrownBy(() -> store.resolve(layout.toString()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("is 5000000000 bytes by its descriptor, more than barco reads");
        assertThat(Json.MAX_BYTES).isEqualTo(4 << 20);
        assertThatThrownBy(() -> Json.parse(new byte[Json.MAX_BYTES + 1], "a huge config"))
                .hasMessageContaining("a huge config is 4194305 bytes");
        assertNothingUnpacked();
    }

    @Test
    void aZstdLayerIsRefusedInOneLine() throws Exception {
        byte[] zstdMagic = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        Path layout = layout(new OciImages().layer(base(), false));
        // replace the layer blob by zstd-looking bytes under their own digest, fixing the descriptors
        String manifestName;
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            manifestName = blobs.filter(p -> {
                        try {
                            return Files.readString(p, StandardCharsets.ISO_8859_1)
                                    .contains("\"layers\":[");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst()
                    .orElseThrow()
                    .getFileName()
                    .toString();
        }
        String manifest = Files.readString(layout.resolve("blobs/sha256/" + manifestName));
        String zhex = OciImages.sha256(zstdMagic);
        Files.write(layout.resolve("blobs/sha256/" + zhex), zstdMagic);
        String changed = manifest.replaceFirst(
                "\"layers\":\\[\\{\"mediaType\":\"[^\"]+\",\"digest\":\"sha256:[0-9a-f]+\",\"size\":\\d+",
                "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"sha256:" + zhex
                        + "\",\"size\":" + zstdMagic.length);
        byte[] m = changed.getBytes(StandardCharsets.UTF_8);
        String mhex = OciImages.sha256(m);
        Files.write(layout.resolve("blobs/sha256/" + mhex), m);
        String index = Files.readString(layout.resolve("index.json"));
        Files.writeString(
                layout.resolve("index.json"),
                index.replace(manifestName, mhex).replaceFirst("\"size\":\\d+", "\"size\":" + m.length));
        assertThatThrownBy(() -> store.resolve(layout.toString()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("zstd-compressed");
        assertNothingUnpacked();
    }

    @Test
    void badReferencesSayWhatToGive() throws Exception {
        assertThatThrownBy(() -> store.resolve("alpine:3.20"))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("names no registry host (barco has no default registry): give host[:port]/name");
        assertThatThrownBy(() -> store.resolve("oci:" + work.resolve("nope")))
                .hasMessageContaining("does not exist: give an existing OCI layout directory or archive file");
        Path layout = layout(new OciImages().layer(base(), false).tag("1"));
        assertThatThrownBy(() -> store.resolve("oci:" + layout + ":2"))
                .hasMessageContaining("has no image tagged '2' (it has: 1)");
        assertThatThrownBy(() -> store.resolve("oci-archive:" + layout.resolve("index.json")))
                .hasMessageContaining("not an OCI or docker save archive");
        assertThatThrownBy(() -> store.resolve("0123456789abcdef"))
                .hasMessageContaining("no image 0123456789abcdef in the cache");
    }
}
