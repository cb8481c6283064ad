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
 * ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) or one the user names in {@code
 * BARCO_INSECURE_REGISTRIES}, which is spoken to in plain HTTP. Anonymous until the registry asks
 * ({@code WWW-Authenticate}): then with the user's credentials from docker's config.json ({@link
 * RegistryAccess}), as Basic auth or for the bearer token of the realm it names (anonymous without
 * credentials). Redirects are followed here, never from HTTPS to HTTP, and credentials and tokens go
 * only to the registry's own scheme, host and port, not to where its blobs are redirected.
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

    private static final int MAX_REDIRECTS = 5;

    private final String reference;
    private final URI base;
    private final String repository;
    private final String tagOrDigest;
    private final RegistryAccess access;
    private final HttpClient http;
    /** The Authorization header the registry accepted, once it asked for one. */
    private String authorization;
    /** Whether {@link #authorization} carries the user's credentials (a refusal then says they were refused). */
    private boolean credentialsSent;

    private RegistrySource(
            String reference, String host, String repository, String tagOrDigest, RegistryAccess access) {
        this.reference = reference;
        this.base = URI.create((access.plainHttp(host) ? "http://" : "https://") + host + "/v2/");
        this.repository = repository;
        this.tagOrDigest = tagOrDigest;
        this.access = access;
        this.http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER) // followed in send(), which drops credentials
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
        return of(text, RegistryAccess.ofEnvironment());
    }

    static RegistrySource of(String text, RegistryAccess access) {
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            throw new ImageException("'" + Digest.abbreviate(text) + "' is not a registry reference barco reads: "
                    + "give host[:port]/name[:tag] or host[:port]/name@sha256:DIGEST");
        }
        String tagOrDigest = m.group(4) != null ? m.group(4) : m.group(3) != null ? m.group(3) : "latest";
        return new RegistrySource(text, m.group(1), m.group(2), tagOrDigest, access);
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
        int status = response.statusCode();
        if (status / 100 != 2) {
            response.body().close();
            throw new ImageException(reference + ": its registry answered " + status + " for " + what
                    + (status == 401 || status == 403 ? ": " + credentialsProblem() : ""));
        }
    }

    /** Why a registry refused: the credentials it was given, or where they would be. */
    private String credentialsProblem() {
        String host = base.getAuthority();
        return credentialsSent
                ? "it refused the credentials for " + host + " in " + access.dockerConfig()
                        + ": log in again, or check that this user may pull " + repository
                : "the image needs credentials, " + access.whereCredentialsAre(host);
    }

    /**
     * GET under /v2/NAME/; when the registry asks for credentials (401 with WWW-Authenticate), once
     * more with them: Basic auth, or the bearer token of the realm it names.
     */
    private HttpResponse<InputStream> get(String path, String accept) throws IOException {
        URI uri = base.resolve(repository + "/" + path);
        HttpResponse<InputStream> response = send(uri, accept, authorization);
        Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
        if (response.statusCode() != 401 || challenge.isEmpty()) {
            return response;
        }
        response.body().close();
        String scheme = challenge.get().trim().toLowerCase(Locale.ROOT);
        Optional<String> basic = access.basic(base.getAuthority());
        credentialsSent = basic.isPresent();
        if (scheme.startsWith("bearer ")) {
            authorization = "Bearer " + bearerToken(challenge.get(), basic);
        } else if (scheme.startsWith("basic")) {
            authorization =
                    "Basic " + basic.orElseThrow(() -> new ImageException(reference + ": " + credentialsProblem()));
        } else {
            throw new ImageException(reference + ": its registry asks for credentials barco does not send ("
                    + Digest.abbreviate(challenge.get()) + ")");
        }
        return send(uri, accept, authorization);
    }

    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Bearer realm="...",service="...",scope="...": a token from the realm, for the user's credentials if any. */
    private String bearerToken(String challenge, Optional<String> basic) throws IOException {
        Map<String, String> params = new java.util.HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        URI realmUri;
        try {
            realmUri = realm == null ? null : new URI(realm);
        } catch (java.net.URISyntaxException e) {
            realmUri = null;
        }
        if (realmUri == null
                || realmUri.getAuthority() == null
                || !("https".equals(realmUri.getScheme())
                        || "http".equals(realmUri.getScheme()) && access.plainHttp(realmUri.getAuthority()))) {
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
        URI tokenUri = URI.create(url.toString());
        HttpResponse<InputStream> response =
                send(tokenUri, "application/json", basic.map(b -> "Basic " + b).orElse(null));
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ImageException(reference + ": its registry's token service answered " + response.statusCode()
                        + ": " + credentialsProblem());
            }
            Json answer = Json.parse(in, "the token of " + reference);
            return answer.string("token")
                    .or(() -> answer.string("access_token"))
                    .orElseThrow(() -> new ImageException(reference + ": its registry's token service gave no token"));
        }
    }

    /**
     * GET {@code uri}, redirects followed (at most {@value #MAX_REDIRECTS}, never from HTTPS to HTTP);
     * {@code authorization} goes only where the first request went (scheme, host and port), so a blob's
     * redirect to a CDN or a bucket gets no credentials or token.
     */
    private HttpResponse<InputStream> send(URI uri, String accept, String authorization) throws IOException {
        URI origin = uri;
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(TIMEOUT)
                    .header("Accept", accept)
                    .GET();
            if (authorization != null && sameOrigin(uri, origin)) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw new ImageException(reference + ": cannot reach " + (sameOrigin(uri, base) ? "its registry " : "")
                        + uri.getAuthority() + " (" + Digest.abbreviate(String.valueOf(e.getMessage()))
                        + "): check the host and port");
            }
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (!List.of(301, 302, 303, 307, 308).contains(status) || location.isEmpty()) {
                return response;
            }
            response.body().close();
            URI next;
            try {
                next = uri.resolve(new URI(location.get()));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw new ImageException(reference + ": its registry redirected to '"
                        + Digest.abbreviate(location.get()) + "', which is not a URL");
            }
            if (redirects == MAX_REDIRECTS
                    || !("https".equals(next.getScheme()) || "http".equals(next.getScheme()))
                    || "https".equals(uri.getScheme()) && !"https".equals(next.getScheme())) {
                throw new ImageException(reference + ": its registry redirected from " + uri.getScheme() + "://"
                        + uri.getAuthority() + " to '" + Digest.abbreviate(next.toString())
                        + "': refused (more than " + MAX_REDIRECTS + " redirects, or not HTTPS)");
            }
            uri = next;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && String.valueOf(a.getAuthority()).equalsIgnoreCase(String.valueOf(b.getAuthority()));
    }

    @Override
    public void close() {}
}
