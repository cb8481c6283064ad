package io.barco.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image in a registry, read through the OCI distribution API ({@code /v2/}) with {@code
 * java.net.http}: its manifest by tag or digest, then its configuration and layers as blobs, each
 * checked against its digest as it streams in. HTTPS, except for a registry on this machine
 * ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), which is spoken to in plain HTTP. Anonymous,
 * and the bearer token a registry asks for in its {@code WWW-Authenticate} (fetched anonymously from
 * the realm it names); no credentials are read yet.
 */
final class RegistrySource extends OciSource {
    /** host[:port]/name[:tag][@sha256:hex]; the host has a dot or a port, or is localhost. */
    private static final Pattern REFERENCE =
            Pattern.compile("((?:[a-zA-Z0-9-]+\\.)*[a-zA-Z0-9-]+(?::\\d{1,5})?|\\[::1\\](?::\\d{1,5})?)/"
                    + "([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
                    + "(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?");

    private static final String ACCEPT = String.join(
            ", ",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String reference;
    private final URI base;
    private final String repository;
    private final String tagOrDigest;
    private final HttpClient http;
    private String token;

    private RegistrySource(String reference, String host, String repository, String tagOrDigest) {
        this.reference = reference;
        String bare = host.replaceFirst(":\\d+$", "");
        boolean local = bare.equals("localhost") || bare.equals("127.0.0.1") || bare.equals("[::1]");
        this.base = URI.create((local ? "http://" : "https://") + host + "/v2/");
        this.repository = repository;
        this.tagOrDigest = tagOrDigest;
        this.http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL) // blobs are often served elsewhere; never https to http
                .build();
    }

    /** Whether {@code text} names an image in a registry: a first component with a dot, a port, or localhost. */
    static boolean looksLike(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String host = text.substring(0, slash);
        return host.contains(".") || host.contains(":") || host.equals("localhost");
    }

    static RegistrySource of(String text) {
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            throw new ImageException("'" + Digest.abbreviate(text) + "' is not a registry reference barco reads: "
                    + "give host[:port]/name[:tag] or host[:port]/name@sha256:DIGEST");
        }
        String tagOrDigest = m.group(4) != null ? m.group(4) : m.group(3) != null ? m.group(3) : "latest";
        return new RegistrySource(text, m.group(1), m.group(2), tagOrDigest);
    }

    @Override
    String describe() {
        return reference;
    }

    @Override
    Chosen choose(String ignored) throws IOException {
        HttpResponse<InputStream> response = get("manifests/" + tagOrDigest, ACCEPT);
        byte[] body;
        try (InputStream in = response.body()) {
            if (response.statusCode() == 404) {
                throw new ImageException(reference + " is not in its registry (" + base.getAuthority()
                        + " has no such name or tag): check the name and tag");
            }
            expectOk(response, "its manifest");
            body = in.readNBytes(Json.MAX_BYTES + 1);
        }
        if (body.length > Json.MAX_BYTES) {
            throw new ImageException("the manifest of " + reference + " is more than " + Json.MAX_BYTES
                    + " bytes: the image is not one barco takes");
        }
        Digest digest = Digest.of(body);
        if (tagOrDigest.startsWith("sha256:") && !digest.toString().equals(tagOrDigest)) {
            throw new ImageException("the manifest " + reference + " served is " + digest
                    + ", not the digest asked for: the registry or the way to it is not to be trusted");
        }
        Optional<String> said = response.headers().firstValue("Docker-Content-Digest");
        if (said.isPresent() && said.get().startsWith("sha256:") && !said.get().equals(digest.toString())) {
            throw new ImageException("the manifest of " + reference + " does not match the digest its registry gives ("
                    + Digest.abbreviate(said.get()) + "): it was altered on the way");
        }
        String type = response.headers()
                .firstValue("Content-Type")
                .orElse("")
                .replaceFirst(";.*", "")
                .trim();
        return fromManifest(digest, type, Json.parse(body, "manifest " + digest));
    }

    @Override
    byte[] readManifest(Digest digest, long size, String what) throws IOException {
        if (size > Json.MAX_BYTES) {
            throw new ImageException(what + " is " + size + " bytes by its descriptor, more than barco reads of one");
        }
        HttpResponse<InputStream> response = get("manifests/" + digest, ACCEPT);
        try (InputStream raw = response.body();
                VerifyingInputStream in = new VerifyingInputStream(raw, digest, size, what)) {
            expectOk(response, what);
            byte[] bytes = in.readNBytes((int) size);
            in.verify();
            return bytes;
        } catch (VerifyingInputStream.ImageIntegrityException e) {
            throw new ImageException(e.getMessage() + " (from " + reference + ")");
        }
    }

    @Override
    InputStream open(String name) throws IOException {
        if (!name.startsWith("blobs/sha256/")) {
            return null;
        }
        HttpResponse<InputStream> response = get("blobs/sha256:" + name.substring("blobs/sha256/".length()), "*/*");
        if (response.statusCode() == 404) {
            response.body().close();
            return null;
        }
        expectOk(response, "blob " + name);
        return response.body();
    }

    @Override
    boolean has(String name) {
        return name.startsWith("blobs/sha256/");
    }

    private void expectOk(HttpResponse<InputStream> response, String what) throws IOException {
        if (response.statusCode() / 100 != 2) {
            response.body().close();
            throw new ImageException(reference + ": its registry answered " + response.statusCode() + " for " + what
                    + (response.statusCode() == 401 || response.statusCode() == 403
                            ? ": the image needs credentials, which barco does not send yet"
                            : ""));
        }
    }

    /** GET under /v2/NAME/, with the bearer token the registry asked for, fetched once when it asks. */
    private HttpResponse<InputStream> get(String path, String accept) throws IOException {
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(repository + "/" + path))
                    .timeout(TIMEOUT)
                    .header("Accept", accept)
                    .GET();
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw new ImageException(reference + ": cannot reach its registry " + base.getAuthority() + " ("
                        + Digest.abbreviate(String.valueOf(e.getMessage())) + "): check the host and port");
            }
            Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
            if (response.statusCode() == 401 && attempt == 0 && challenge.isPresent()) {
                response.body().close();
                token = bearerToken(challenge.get());
                continue;
            }
            return response;
        }
    }

    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Bearer realm="...",service="...",scope="...": an anonymous token from the realm. */
    private String bearerToken(String challenge) throws IOException {
        if (!challenge.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            throw new ImageException(reference + " needs credentials (" + Digest.abbreviate(challenge)
                    + "), which barco does not send yet");
        }
        Map<String, String> params = new java.util.HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null || !(realm.startsWith("https://") || base.getScheme().equals("http"))) {
            throw new ImageException(
                    reference + ": its registry's token realm '" + Digest.abbreviate(realm) + "' is not an https URL");
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        for (String key : List.of("service", "scope")) {
            if (params.containsKey(key)) {
                url.append(key)
                        .append('=')
                        .append(URLEncoder.encode(params.get(key), StandardCharsets.UTF_8))
                        .append('&');
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(URI.create(url.toString()))
                            .timeout(TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ImageException(reference + ": its registry's token service answered " + response.statusCode()
                        + ": the image needs credentials, which barco does not send yet");
            }
            Json answer = Json.parse(in, "the token of " + reference);
            return answer.string("token")
                    .or(() -> answer.string("access_token"))
                    .orElseThrow(() -> new ImageException(reference + ": its registry's token service gave no token"));
        }
    }

    @Override
    public void close() {}
}
