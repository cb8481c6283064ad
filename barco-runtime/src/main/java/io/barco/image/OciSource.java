package io.barco.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An OCI image layout: {@code oci-layout}, {@code index.json} and {@code blobs/sha256/}, in a directory or an archive. */
abstract class OciSource extends ImageSource {
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    @Override
    Chosen choose(String tag) throws IOException {
        Json index;
        try (java.io.InputStream in = open("index.json")) {
            if (in == null) {
                throw new ImageException(describe() + " has no index.json: it is not an OCI image layout");
            }
            index = Json.parse(in, "index.json of " + describe());
        }
        List<Json> manifests = index.objects("manifests");
        Json descriptor = pick(manifests, tag);
        Digest digest = Digest.parse(descriptor.requiredString("digest"), "a manifest of " + describe());
        long size = descriptor.size("size");
        String type = descriptor.string("mediaType").orElse("");
        Json manifest = Json.parse(readManifest(digest, size, "manifest " + digest), "manifest " + digest);
        return fromManifest(digest, type, manifest);
    }

    /** A manifest by its digest, checked: a blob of the layout; a registry's manifests are elsewhere. */
    byte[] readManifest(Digest digest, long size, String what) throws IOException {
        return readSmall(digest, size, what);
    }

    /** The image of {@code manifest} (an index: its linux/amd64 image's): its configuration and layers. */
    Chosen fromManifest(Digest digest, String type, Json manifest) throws IOException {
        if (INDEX_TYPES.contains(type)
                || INDEX_TYPES.contains(manifest.string("mediaType").orElse(""))) {
            // a multi-platform image: this machine's
            Digest indexDigest = digest;
            Json platform = manifest.objects("manifests").stream()
                    .filter(m -> m.object("platform")
                            .map(p -> p.string("os").orElse("").equals("linux")
                                    && p.string("architecture").orElse("").equals("amd64"))
                            .orElse(false))
                    .findFirst()
                    .orElseThrow(() -> new ImageException(
                            "image index " + indexDigest + " in " + describe() + " has no linux/amd64 image"));
            digest = Digest.parse(platform.requiredString("digest"), "the linux/amd64 manifest");
            manifest =
                    Json.parse(readManifest(digest, platform.size("size"), "manifest " + digest), "manifest " + digest);
        }
        Json chosen = manifest;
        Json configDescriptor = chosen.object("config")
                .orElseThrow(() -> new ImageException(chosen.what() + " has no config: the image is corrupt"));
        Digest configDigest =
                Digest.parse(configDescriptor.requiredString("digest"), "the config of " + manifest.what());
        Json config = Json.parse(
                readSmall(configDigest, configDescriptor.size("size"), "config " + configDigest),
                "config " + configDigest);
        List<Layer> layers = new ArrayList<>();
        for (Json l : manifest.objects("layers")) {
            Digest d = Digest.parse(l.requiredString("digest"), "a layer of " + manifest.what());
            layers.add(new Layer(
                    "blobs/sha256/" + d.hex(),
                    d,
                    l.size("size"),
                    l.string("mediaType").orElse("")));
        }
        return new Chosen(digest, config, layers);
    }

    private Json pick(List<Json> manifests, String tag) {
        if (manifests.isEmpty()) {
            throw new ImageException("index.json of " + describe() + " lists no image");
        }
        if (tag == null) {
            if (manifests.size() == 1) {
                return manifests.get(0);
            }
            throw new ImageException(describe() + " holds " + manifests.size() + " images (" + names(manifests)
                    + "): name one, as " + describe() + ":TAG");
        }
        for (Json m : manifests) {
            Optional<String> name = m.annotation(REF_NAME);
            if (name.isPresent() && (name.get().equals(tag) || name.get().endsWith(":" + tag))) {
                return m;
            }
        }
        throw new ImageException(describe() + " has no image tagged '" + Digest.abbreviate(tag) + "' (it has: "
                + names(manifests) + "): name one of those");
    }

    private static String names(List<Json> manifests) {
        List<String> names = manifests.stream()
                .map(m -> m.annotation(REF_NAME).orElse("(untagged)"))
                .limit(10)
                .map(Digest::abbreviate)
                .toList();
        return String.join(", ", names);
    }
}
