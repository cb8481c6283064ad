package io.barco.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.Setting;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations and limits the kernel or the JDK cannot hold are refused when the spec is built, not after launch. */
class BoundsTest {

    @Test
    void durationsAreReadAsUsersAndDockerAndGoWriteThem() {
        java.util.Map<String, java.time.Duration> cases = new java.util.LinkedHashMap<>();
        cases.put("30", java.time.Duration.ofSeconds(30));
        cases.put("1.5", java.time.Duration.ofMillis(1500));
        cases.put("500ms", java.time.Duration.ofMillis(500));
        cases.put("1.5s", java.time.Duration.ofMillis(1500));
        cases.put("2m30s", java.time.Duration.ofSeconds(150));
        cases.put("1h15m", java.time.Duration.ofMinutes(75));
        cases.put("250us", java.time.Duration.ofNanos(250_000));
        cases.put(".5s", java.time.Duration.ofMillis(500));
        cases.forEach((text, expected) -> assertThat(Durations.parse(text, "invalid timeout", Setting.TIMEOUT))
                .as(text)
                .isEqualTo(expected));
        for (String bad : new String[] {"", "5x", "s", "1.5.2s", "2m30", "-1s", "1 s"}) {
            assertThatThrownBy(() -> Durations.parse(bad, "invalid timeout", Setting.TIMEOUT))
                    .as(bad)
                    .hasMessage("invalid timeout '" + bad + "': use e.g. 30, 500ms, 1.5s, 2m30s or 1h");
        }
    }

    @Test
    void aTimeoutBeyondWhatNanosecondsHoldIsRefusedAtBuildTime() {
        assertThatThrownBy(() -> ContainerSpec.builder("/bin/true")
                        .timeout(Duration.ofDays(365L * 300))
                        .build())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(
                        "timeout 2628000h is too long: give at most 292 years (what nanosecond timers hold), e.g. 10m");
        assertThat(ContainerSpec.builder("/bin/true")
                        .timeout(Durations.MAX)
                        .build()
                        .timeout())
                .contains(Durations.MAX);
    }

    @Test
    void aDurationTooLongToParseIsOneLineWithTheFix() {
        assertThatThrownBy(() -> Durations.parse("99999999999999999999", "timeout", Setting.TIMEOUT))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("timeout '99999999999999999999' is too long: give at most");
        assertThatThrownBy(() -> Durations.parse("9223372036854775807h", "timeout", Setting.TIMEOUT))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("is too long");
        assertThatThrownBy(() -> Durations.parse("2562048h", "timeout", Setting.TIMEOUT))
                .hasMessageContaining("is too long");
        assertThat(Durations.parse("2562047h", "timeout", Setting.TIMEOUT)).isEqualTo(Duration.ofHours(2562047));
    }

    @Test
    void pidsAboveTheKernelsLimitAreRefused() {
        assertThat(Limits.NONE.withPids(Limits.PIDS_MAX).pidsLimit()).hasValue(4194304);
        assertThatThrownBy(() -> Limits.NONE.withPids(Limits.PIDS_MAX + 1))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(
                        "pids limit 4194305 is above the kernel's limit of 4194304 (PID_MAX_LIMIT): give at most 4194304, or no pids limit");
        assertThatThrownBy(() -> Limits.NONE.withPids(Integer.MAX_VALUE))
                .hasMessageContaining("above the kernel's limit");
    }
}
