package io.barco.spec;

import io.barco.Setting;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: {@code 30} (seconds), {@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}, and as Docker and Go write them: {@code 1.5s}, {@code 2m30s}, {@code 1h15m}, {@code 250us}.
 */
public final class Durations {
    /**
     * The longest duration barco accepts: what {@link Duration#toNanos()} holds (about 292 years), as
     * timers take nanoseconds. Longer ones used to overflow after the container had started.
     */
    public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern BARE = Pattern.compile(NUMBER);
    private static final Pattern PART = Pattern.compile(NUMBER + "(ns|us|µs|ms|s|m|h)");
    private static final java.util.Map<String, Long> NANOS_PER = java.util.Map.of(
            "ns",
            1L,
            "us",
            1_000L,
            "µs",
            1_000L,
            "ms",
            1_000_000L,
            "s",
            1_000_000_000L,
            "m",
            60_000_000_000L,
            "h",
            3_600_000_000_000L);

    private Durations() {}

    /** The duration, or an {@link InvalidSpecException} about {@code setting} whose message starts with {@code what}. */
    public static Duration parse(String text, String what, Setting setting) {
        String t = text.trim();
        java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
        if (BARE.matcher(t).matches()) {
            nanos = new java.math.BigDecimal(t.startsWith(".") ? "0" + t : t)
                    .multiply(java.math.BigDecimal.valueOf(NANOS_PER.get("s")));
        } else {
            Matcher m = PART.matcher(t);
            int at = 0;
            while (at < t.length() && m.find(at) && m.start() == at) {
                String number = m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1);
                nanos = nanos.add(new java.math.BigDecimal(number)
                        .multiply(java.math.BigDecimal.valueOf(NANOS_PER.get(m.group(2)))));
                at = m.end();
            }
            if (t.isEmpty() || at != t.length()) {
                throw new InvalidSpecException(
                        what + " '" + text + "': use e.g. 30, 500ms, 1.5s, 2m30s or 1h", setting);
            }
        }
        Duration d = nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                ? MAX.plusNanos(1)
                : Duration.ofNanos(
                        nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
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
        if (seconds > 0 && millis > 0) {
            // 1.5s, as it was likely written
            text.append(seconds)
                    .append('.')
                    .append(String.format("%03d", millis).replaceAll("0+$", ""))
                    .append('s');
        } else if (seconds > 0) {
            text.append(seconds).append('s');
        } else if (millis > 0 || text.length() == 0) {
            text.append(millis).append("ms");
        }
        return text.toString();
    }

    /** Refuses a duration longer than {@link #MAX}, with the fix. */
    public static void checkFits(Duration d, String what, Setting setting) {
        if (d.compareTo(MAX) > 0) {
            throw new InvalidSpecException(
                    what + " is too long: give at most " + MAX.toDays() / 365
                            + " years (what nanosecond timers hold), e.g. 10m",
                    setting);
        }
    }
}
