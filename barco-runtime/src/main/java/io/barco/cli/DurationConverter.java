package io.barco.cli;

import io.barco.spec.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** {@code 30} (seconds), {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return Durations.parse(value, "invalid duration");
    }
}
