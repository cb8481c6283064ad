package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
                        "CI"))
                .noneMatch(SecretEnvironment::secretLooking);
    }

    @Test
    void whatBarcoPassEnvNamesIsPassedByNameOrPattern() {
        Map<String, String> build =
                Map.of("PATH", "/bin", "GITHUB_TOKEN", "t", "AWS_REGION", "eu", "AWS_SECRET_ACCESS_KEY", "s");
        assertThat(SecretEnvironment.forFork(build, List.of())).containsOnlyKeys("PATH");
        assertThat(SecretEnvironment.forFork(build, List.of("GITHUB_TOKEN", "AWS_R*")))
                .containsOnlyKeys("PATH", "GITHUB_TOKEN", "AWS_REGION");
        assertThat(SecretEnvironment.forFork(build, List.of("*"))).isEqualTo(build);
    }
}
