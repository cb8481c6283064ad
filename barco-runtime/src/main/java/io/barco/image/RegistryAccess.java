package io.barco.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the user allows barco with registries: the credentials {@code docker login} saved in docker's
 * {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}: its
 * {@code auths}, each {@code auth} being base64 of {@code user:password}), and the registries it may
 * speak plain HTTP to beyond this machine's ({@code BARCO_INSECURE_REGISTRIES}: {@code host[:port]}
 * names, comma-separated).
 *
 * @param dockerConfig docker's config.json, which need not exist
 * @param insecure registries ({@code host[:port]}) spoken to in plain HTTP although not on this machine
 */
record RegistryAccess(Path dockerConfig, Set<String> insecure) {
    /** The environment variable that names the registries spoken to in plain HTTP. */
    static final String INSECURE_ENV = "BARCO_INSECURE_REGISTRIES";

    /** The user's: docker's config.json and {@value #INSECURE_ENV}. */
    static RegistryAccess ofEnvironment() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path config = dir != null && !dir.isEmpty()
                ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return new RegistryAccess(config, parseInsecure(System.getenv(INSECURE_ENV)));
    }

    static Set<String> parseInsecure(String list) {
        return list == null
                ? Set.of()
                : Arrays.stream(list.split(","))
                        .map(s -> s.trim().toLowerCase(Locale.ROOT))
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether {@code authority} ({@code host[:port]}) is spoken to in plain HTTP: this machine, or opted in. */
    boolean plainHttp(String authority) {
        String lower = authority.toLowerCase(Locale.ROOT);
        String bare = lower.replaceFirst(":\\d+$", "");
        return bare.equals("localhost")
                || bare.equals("127.0.0.1")
                || bare.equals("[::1]")
                || insecure.contains(lower)
                || insecure.contains(bare);
    }

    /**
     * The value of an {@code Authorization: Basic} header for the registry at {@code authority}, from
     * config.json's {@code auths}; empty when it has none (or there is no config.json).
     *
     * @throws ImageException when config.json cannot be read or its entry for the registry is not one barco uses
     */
    Optional<String> basic(String authority) {
        Optional<Json> entry = entry(authority);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Json e = entry.get();
        Optional<String> auth = e.string("auth").filter(a -> !a.isEmpty());
        if (auth.isPresent()) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(auth.get()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException ex) {
                throw new ImageException(dockerConfig + ": the auth of " + authority + " is not base64: log in again");
            }
            if (!pair.contains(":")) {
                throw new ImageException(
                        dockerConfig + ": the auth of " + authority + " is not user:password in base64: log in again");
            }
            return Optional.of(auth.get());
        }
        Optional<String> user = e.string("username");
        Optional<String> password = e.string("password");
        if (user.isPresent() && password.isPresent()) {
            return Optional.of(Base64.getEncoder()
                    .encodeToString((user.get() + ":" + password.get()).getBytes(StandardCharsets.UTF_8)));
        }
        if (e.string("identitytoken").isPresent()) {
            throw new ImageException(dockerConfig + " has an identity token for " + authority
                    + ", which barco does not use: give the registry's user and password instead");
        }
        return Optional.empty();
    }

    /** What config.json says of a registry it has no credentials for (a credential helper), for a refusal. */
    String whereCredentialsAre(String authority) {
        Json config;
        try {
            config = read().orElse(null);
        } catch (ImageException e) {
            return e.getMessage();
        }
        if (config != null) {
            Optional<String> helper = config.object("credHelpers")
                    .flatMap(h -> names(authority).stream()
                            .map(h::string)
                            .flatMap(Optional::stream)
                            .findFirst())
                    .or(() -> config.string("credsStore"));
            if (helper.isPresent()) {
                return dockerConfig + " keeps them in docker-credential-" + helper.get()
                        + ", which barco does not run: put user:password in base64 as the auth of " + authority
                        + " under auths";
            }
        }
        return "none for " + authority + " in " + dockerConfig + ": docker login " + authority + " saves them there";
    }

    private Optional<Json> entry(String authority) {
        Optional<Json> config = read();
        if (config.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Json> auths = config.get().members("auths");
        Set<String> names = names(authority);
        return auths.entrySet().stream()
                .filter(a -> names.contains(key(a.getKey())))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /** The names config.json may file a registry under: its host[:port], Docker Hub's by its old name too. */
    private static Set<String> names(String authority) {
        String lower = authority.toLowerCase(Locale.ROOT);
        return lower.equals("registry-1.docker.io") || lower.equals("docker.io") || lower.equals("index.docker.io")
                ? Set.of("registry-1.docker.io", "docker.io", "index.docker.io")
                : Set.of(lower);
    }

    /** An auths key as host[:port]: {@code https://index.docker.io/v1/} is {@code index.docker.io}. */
    private static String key(String key) {
        return key.toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
    }

    private Optional<Json> read() {
        try (InputStream in = Files.newInputStream(dockerConfig)) {
            return Optional.of(Json.parse(in, dockerConfig.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (ImageException e) {
            throw new ImageException(dockerConfig + " is not a JSON object barco reads: fix or remove it");
        } catch (IOException e) {
            throw new ImageException("cannot read " + dockerConfig + " (" + e.getMessage() + ")");
        }
    }
}
