package io.barco.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An image's JSON (index.json, manifests, configs), read as an untrusted tree: at most {@link
 * #MAX_BYTES}, strict, at most 64 levels deep, then only the fields barco uses taken out, each checked
 * for its type. Never bound to classes.
 */
final class Json {
    /** The most an index, a manifest or a configuration may be: real ones are a few KiB. */
    static final int MAX_BYTES = 4 << 20;

    private final JsonObject object;
    private final String what;

    private Json(JsonObject object, String what) {
        this.object = object;
        this.what = what;
    }

    /** The object {@code bytes} hold; {@code what} names the document in a failure. */
    static Json parse(byte[] bytes, String what) {
        if (bytes.length > MAX_BYTES) {
            throw new ImageException(what + " is " + bytes.length + " bytes, more than barco reads of one (" + MAX_BYTES
                    + "): the image is not one barco takes");
        }
        try {
            JsonReader reader = new JsonReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            reader.setStrictness(Strictness.STRICT);
            reader.setNestingLimit(64);
            JsonElement tree = JsonParser.parseReader(reader);
            if (!tree.isJsonObject()) {
                throw new ImageException(what + " is not a JSON object: the image is corrupt");
            }
            return new Json(tree.getAsJsonObject(), what);
        } catch (ImageException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ImageException(
                    what + " is not valid JSON (" + Digest.abbreviate(e.getMessage()) + "): the image is corrupt");
        }
    }

    static Json parse(java.io.InputStream in, String what) throws java.io.IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        return parse(bytes, what);
    }

    String what() {
        return what;
    }

    Optional<String> string(String name) {
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ImageException(what + "'s " + name + " is not a string: the image is corrupt");
        }
        return Optional.of(e.getAsString());
    }

    String requiredString(String name) {
        return string(name).orElseThrow(() -> new ImageException(what + " has no " + name + ": the image is corrupt"));
    }

    long size(String name) {
        JsonElement e = object.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new ImageException(what + " has no " + name + " number: the image is corrupt");
        }
        try {
            long v = e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            if (v < 0) {
                throw new ArithmeticException();
            }
            return v;
        } catch (ArithmeticException ex) {
            throw new ImageException(what + "'s " + name + " is not a size: the image is corrupt");
        }
    }

    Optional<Json> object(String name) {
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!e.isJsonObject()) {
            throw new ImageException(what + "'s " + name + " is not an object: the image is corrupt");
        }
        return Optional.of(new Json(e.getAsJsonObject(), what));
    }

    /** The objects of array {@code name}; empty when absent. */
    List<Json> objects(String name) {
        List<Json> out = new ArrayList<>();
        for (JsonElement e : array(name)) {
            if (!e.isJsonObject()) {
                throw new ImageException(what + "'s " + name + " holds a non-object: the image is corrupt");
            }
            out.add(new Json(e.getAsJsonObject(), what));
        }
        return out;
    }

    /** The strings of array {@code name}; empty when absent or null. */
    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(name)) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ImageException(what + "'s " + name + " holds a non-string: the image is corrupt");
            }
            out.add(e.getAsString());
        }
        return out;
    }

    private JsonArray array(String name) {
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            return new JsonArray();
        }
        if (!e.isJsonArray()) {
            throw new ImageException(what + "'s " + name + " is not an array: the image is corrupt");
        }
        return e.getAsJsonArray();
    }

    /** The members of object {@code name}, each an object, by name (config.json's auths); empty when absent. */
    java.util.Map<String, Json> members(String name) {
        java.util.Map<String, Json> out = new java.util.LinkedHashMap<>();
        object(name)
                .ifPresent(o -> o.object.entrySet().forEach(e -> {
                    if (!e.getValue().isJsonObject()) {
                        throw new ImageException(what + "'s " + name + " holds a non-object: it is corrupt");
                    }
                    out.put(e.getKey(), new Json(e.getValue().getAsJsonObject(), what));
                }));
        return out;
    }

    /** A string map (annotations); empty when absent. */
    Optional<String> annotation(String key) {
        return object("annotations").flatMap(a -> a.string(key));
    }
}
