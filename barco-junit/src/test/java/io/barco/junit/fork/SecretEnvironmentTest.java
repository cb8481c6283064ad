package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Which of the build's variables a fork gets: all but what looks like a secret, unless named. */
class SecretEnvironmentTest {

    @Test
    void namesThatLookLikeSecretsAreKnownAndOthersAreNot() {
        assertThat(List.of(
                        "GITHUB_TOKEN",
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_REGION",
                        "NPM_TOKEN",
                        "DB_PASSWORD",
                        "gpg_passphrase",
                        "SIGNING_KEY",
                        "GOOGLE_APPLICATION_CREDENTIALS",
                        "AZURE_CLIENT_ID",
                        "CLIENT_SECRET_FILE",
                        "TOKEN",
                        "API_KEY",
                        "SONAR_AUTH",
                        "GH_PAT",
                        "X_APIKEY"))
                .allMatch(SecretEnvironment::secretLooking);
        assertThat(List.of(
                        "PATH",
                        "HOME",
                        "LANG",
                        "JAVA_HOME",
                        "MAVEN_OPTS",
                        "TERM",
                        "BARCO_IT_ENV",
                        "KEYBOARD",
                        "TOKENIZER_MODE",
                        "PATHEXT",
                        "CI",
                        "AWS_CA_BUNDLE",
                        "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"))
                .noneMatch(SecretEnvironment::secretLooking);
    }

    @Test
    void whatBarcoPassEnvNamesIsPassedByNameOrPattern() {
        Map<String, String> build =
                Map.of("PATH", "/bin", "GITHUB_TOKEN", "t", "AWS_REGION", "eu", "AWS_SECRET_ACCESS_KEY", "s");
        AtomicBoolean told = new AtomicBoolean();
        assertThat(SecretEnvironment.forFork(build, List.of(), told)).containsOnlyKeys("PATH");
        assertThat(SecretEnvironment.forFork(build, List.of("GITHUB_TOKEN", "AWS_R*"), told))
                .containsOnlyKeys("PATH", "GITHUB_TOKEN", "AWS_REGION");
        assertThat(SecretEnvironment.forFork(build, List.of("*"), told)).isEqualTo(build);
    }

    @Test
    void whatIsWithheldIsSaidOnceARunByNameOnly() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            AtomicBoolean told = new AtomicBoolean(); // the run's
            Map<String, String> build = Map.of("PATH", "/bin", "NPM_TOKEN", "s3cr3t");
            SecretEnvironment.forFork(build, List.of(), told);
            SecretEnvironment.forFork(build, List.of(), told);
            assertThat(told).isTrue();
            SecretEnvironment.forFork(build, List.of(), new AtomicBoolean()); // the next run's
        } finally {
            System.setErr(stderr);
        }
        assertThat(said.toString(StandardCharsets.UTF_8).lines())
                .hasSize(2)
                .allMatch(l -> l.contains("NPM_TOKEN") && !l.contains("s3cr3t"));
    }
}
