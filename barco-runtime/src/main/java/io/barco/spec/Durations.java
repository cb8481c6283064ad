package io.barco.spec;

import io.barco.Setting;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: {@code 30} (seconds), {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
public final class Durations {
    /**
     * The longest duration barco accepts: what {@link Duration#toNanos()} holds (about 292 years), as
     * timers take nanoseconds. Longer ones used to overflow after the container had started.
     */
    public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Durations() {
    }

    /** The duration, or an {@link InvalidSpecException} about {@code setting} whose message starts with {@code what}. */
    public static Duration parse(String text, String what, Setting setting) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidSpecException(what + " '" + text + "': use e.g. 30, 500ms, 10s, 2m or 1h", setting);
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            d = MAX.plusNanos(1); // too long for a long or a Duration: refused just below
        }
        if (d.isZero()) {
            throw new InvalidSpecException(what + " '" + text + "': it must be positive", setting);
        }
        checkFits(d, what + " '" + text + "'", setting);
        return d;
    }

    /** A duration as users write them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1m30s}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        if (millis > 0 || text.length() == 0) {
            text.append(millis).append("ms");
        }
        return text.toString();
    }

    /** Refuses a duration longer than {@link #MAX}, with the fix. */
    public static void checkFits(Duration d, String what, Setting setting) {
        if (d.compareTo(MAX) > 0) {
            throw new InvalidSpecException(what + " is too long: give at most " + MAX.toDays() / 365
                    + " years (what nanosecond timers hold), e.g. 10m", setting);
        }
    }
}
