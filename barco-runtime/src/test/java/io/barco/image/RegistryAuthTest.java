package io.barco.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.barco.testing.OciImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls that need credentials, against a fake registry (the JDK's HttpServer) that serves one image
 * built here: Basic auth and the bearer token flow with the credentials of docker's config.json, the
 * one-line refusals without them or with wrong ones, credentials kept from a blob's redirect, and
 * plain HTTP only for this machine or a registry the user names.
 */
class RegistryAuthTest {
    private static final String USER_PASSWORD = "barco:s3cret";
    private static final String BASIC = base64(USER_PASSWORD);
    private static final String TOKEN = "token-for-barco";

    @TempDir
    Path dir;

    private final OciImages image = new OciImages()
            .layer(new OciImages.Layer().dir("etc").file("etc/os-release", "ID=auth-test\n"), true)
            .env("A=1");
    private final Map<String, byte[]> files = image.layoutFiles();
    /** The Authorization header of each request, by the path it asked for ("-" for none). */
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private HttpServer registry;
    private HttpServer cdn;
    /** What the registry's 401 asks for: "basic", "bearer", or null for none (anonymous). */
    private String scheme;
    /** The token realm a bearer challenge names; null for the registry's own /token. */
    private String realm;

    @BeforeEach
    void startTheServers() throws IOException {
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/cdn/", exchange -> {
            seen.add(exchange.getRequestURI().getPath() + " " + authorization(exchange));
            String hex = exchange.getRequestURI().getPath().substring("/cdn/".length());
            send(exchange, 200, files.get("blobs/sha256/" + hex), Map.of());
        });
        cdn.start();
        registry = server("127.0.0.1");
    }

    private HttpServer server(String address) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/v2/", this::serveV2);
        server.createContext("/token", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            seen.add("/token " + authorization(exchange));
            if (("Basic " + BASIC).equals(authorization(exchange))
                    && query.contains("scope=repository%3Abarco%2Fprivate%3Apull")) {
                send(exchange, 200, ("{\"token\":\"" + TOKEN + "\"}").getBytes(StandardCharsets.UTF_8), Map.of());
            } else {
                send(exchange, 401, new byte[0], Map.of());
            }
        });
        server.start();
        return server;
    }

    @AfterEach
    void stopTheServers() {
        registry.stop(0);
        cdn.stop(0);
    }

    private void serveV2(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String auth = authorization(exchange);
        seen.add(path + " " + auth);
        boolean allowed = scheme == null
                || scheme.equals("basic") && ("Basic " + BASIC).equals(auth)
                || scheme.equals("bearer") && ("Bearer " + TOKEN).equals(auth);
        if (!allowed) {
            String host = exchange.getLocalAddress().getAddress().getHostAddress() + ":"
                    + exchange.getLocalAddress().getPort();
            String challenge = scheme.equals("basic")
                    ? "Basic realm=\"fake\""
                    : "Bearer realm=\"" + (realm != null ? realm : "http://" + host + "/token")
                            + "\",service=\"fake\",scope=\"repository:barco/private:pull\"";
            send(exchange, 401, new byte[0], Map.of("WWW-Authenticate", challenge));
            return;
        }
        String manifestDigest = "sha256:" + image.id();
        if (path.equals("/v2/barco/private/manifests/1")
                || path.equals("/v2/barco/private/manifests/" + manifestDigest)) {
            send(
                    exchange,
                    200,
                    image.manifest(),
                    Map.of(
                            "Content-Type",
                            "application/vnd.oci.image.manifest.v1+json",
                            "Docker-Content-Digest",
                            manifestDigest));
        } else if (path.startsWith("/v2/barco/private/blobs/sha256:")) {
            String hex = path.substring("/v2/barco/private/blobs/sha256:".length());
            if (image.layers().stream()
                    .anyMatch(l -> OciImages.sha256(l.bytes()).equals(hex))) {
                // layers come from elsewhere, as from a registry's storage bucket
                send(
                        exchange,
                        307,
                        new byte[0],
                        Map.of(
                                "Location",
                                "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + hex));
            } else {
                byte[] blob = files.get("blobs/sha256/" + hex);
                send(exchange, blob == null ? 404 : 200, blob == null ? new byte[0] : blob, Map.of());
            }
        } else {
            send(exchange, 404, new byte[0], Map.of());
        }
    }

    private static String authorization(HttpExchange exchange) {
        String a = exchange.getRequestHeaders().getFirst("Authorization");
        return a == null ? "-" : a;
    }

    private static void send(HttpExchange exchange, int status, byte[] body, Map<String, String> headers)
            throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private String host(HttpServer server) {
        return server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    /** docker's config.json holding {@code json}, as docker login writes it. */
    private RegistryAccess config(String json, String... insecure) throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), json);
        return new RegistryAccess(config, Set.of(insecure));
    }

    private RegistryAccess loggedIn(String key) throws IOException {
        return config("{\"auths\":{\"" + key + "\":{\"auth\":\"" + BASIC + "\"}}}");
    }

    /** Pulls the image's manifest, config and layer through {@code access}, as ImageStore does. */
    private void pull(String host, RegistryAccess access) throws IOException {
        try (RegistrySource source = RegistrySource.of(host + "/barco/private:1", access)) {
            ImageSource.Chosen chosen = source.choose(null);
            assertThat(chosen.id().hex()).isEqualTo(image.id());
            ImageSource.Layer layer = chosen.layers().get(0);
            try (InputStream in = source.open(layer.blob())) {
                assertThat(in.readAllBytes()).isEqualTo(image.layers().get(0).bytes());
            }
        }
    }

    @Test
    void basicAuthWithTheCredentialsOfDockersConfig() throws Exception {
        scheme = "basic";
        pull(host(registry), loggedIn(host(registry)));
        assertThat(seen)
                .startsWith("/v2/barco/private/manifests/1 -", "/v2/barco/private/manifests/1 Basic " + BASIC)
                .contains("/cdn/" + OciImages.sha256(image.layers().get(0).bytes()) + " -");
    }

    @Test
    void theBearerTokenOfTheRealmForTheCredentialsAndNoCredentialsOrTokenToWhereABlobIsRedirected() throws Exception {
        scheme = "bearer";
        // docker login's key for a registry may be a URL
        pull(host(registry), loggedIn("http://" + host(registry) + "/v1/"));
        assertThat(seen)
                .startsWith(
                        "/v2/barco/private/manifests/1 -",
                        "/token Basic " + BASIC,
                        "/v2/barco/private/manifests/1 Bearer " + TOKEN)
                .contains("/cdn/" + OciImages.sha256(image.layers().get(0).bytes()) + " -")
                .filteredOn(s -> s.startsWith("/cdn/"))
                .allMatch(s -> s.endsWith(" -"));
    }

    @Test
    void withoutCredentialsTheRefusalSaysWhereTheyWouldBeInOneLine() throws Exception {
        scheme = "basic";
        String host = host(registry);
        RegistryAccess none = new RegistryAccess(dir.resolve("missing/config.json"), Set.of());
        assertThatThrownBy(() -> pull(host, none))
                .isInstanceOf(ImageException.class)
                .hasMessage(host + "/barco/private:1: the image needs credentials, none for " + host + " in "
                        + dir.resolve("missing/config.json") + ": docker login " + host + " saves them there");
        scheme = "bearer";
        assertThatThrownBy(() -> pull(host, config("{\"auths\":{}}")))
                .isInstanceOf(ImageException.class)
                .hasMessage(host + "/barco/private:1: its registry's token service answered 401: the image needs "
                        + "credentials, none for " + host + " in " + dir.resolve("config.json") + ": docker login "
                        + host + " saves them there");
        assertThatThrownBy(() -> pull(host, config("{\"auths\":{},\"credsStore\":\"secretservice\"}")))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("keeps them in docker-credential-secretservice, which barco does not run")
                .hasMessageNotContaining("\n");
    }

    @Test
    void wrongCredentialsAreSaidToBeRefused() throws Exception {
        scheme = "basic";
        String host = host(registry);
        RegistryAccess wrong = config("{\"auths\":{\"" + host + "\":{\"auth\":\"" + base64("barco:wrong") + "\"}}}");
        assertThatThrownBy(() -> pull(host, wrong))
                .isInstanceOf(ImageException.class)
                .hasMessage(host + "/barco/private:1: its registry answered 401 for its manifest: it refused the "
                        + "credentials for " + host + " in " + dir.resolve("config.json")
                        + ": log in again, or check that this user may pull barco/private");
        RegistryAccess notBase64 = config("{\"auths\":{\"" + host + "\":{\"auth\":\"%%%\"}}}");
        assertThatThrownBy(() -> pull(host, notBase64))
                .isInstanceOf(ImageException.class)
                .hasMessage(dir.resolve("config.json") + ": the auth of " + host + " is not base64: log in again");
    }

    @Test
    void aTokenRealmInPlainHttpElsewhereThanThisMachineIsRefusedBeforeCredentialsGoThere() throws Exception {
        scheme = "bearer";
        realm = "http://auth.example/token";
        String host = host(registry);
        RegistryAccess access = loggedIn(host);
        assertThatThrownBy(() -> pull(host, access))
                .isInstanceOf(ImageException.class)
                .hasMessage(host + "/barco/private:1: its registry's token realm 'http://auth.example/token' is "
                        + "not an https URL");
        assertThat(seen).containsExactly("/v2/barco/private/manifests/1 -");
    }

    @Test
    void plainHttpOnlyForThisMachineOrARegistryTheUserNames() throws Exception {
        RegistryAccess none = new RegistryAccess(dir.resolve("config.json"), Set.of());
        assertThat(none.plainHttp("localhost:5000")).isTrue();
        assertThat(none.plainHttp("127.0.0.1")).isTrue();
        assertThat(none.plainHttp("[::1]:5000")).isTrue();
        assertThat(none.plainHttp("registry.example:5000")).isFalse();
        assertThat(none.plainHttp("127.0.0.2:5000")).isFalse();
        assertThat(RegistryAccess.parseInsecure(" registry.example:5000, Other.Example ,"))
                .containsExactlyInAnyOrder("registry.example:5000", "other.example");
        // a registry on another loopback address is not "this machine" by its name: HTTPS (a TLS
        // handshake record first), unless the user names it
        try (java.net.ServerSocket tls = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            // every connection's first byte (the client may try twice), then closed
            java.util.concurrent.CompletableFuture<Integer> first = new java.util.concurrent.CompletableFuture<>();
            Thread accepting = new Thread(() -> {
                while (!tls.isClosed()) {
                    try (java.net.Socket s = tls.accept()) {
                        first.complete(s.getInputStream().read());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            String host = "127.0.0.2:" + tls.getLocalPort();
            assertThatThrownBy(() -> pull(host, none))
                    .isInstanceOf(ImageException.class)
                    .hasMessageStartingWith(host + "/barco/private:1: cannot reach its registry " + host + " (")
                    .hasMessageNotContaining("\n");
            assertThat(first.get()).isEqualTo(0x16);
        }
        HttpServer elsewhere = server("127.0.0.2");
        try {
            scheme = null;
            String host = host(elsewhere);
            pull(host, new RegistryAccess(dir.resolve("config.json"), RegistryAccess.parseInsecure(host)));
        } finally {
            elsewhere.stop(0);
        }
    }
}
