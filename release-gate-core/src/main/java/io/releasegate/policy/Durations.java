package io.releasegate.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The durations people write in policy and train files: {@code 30m}, {@code 4h}, {@code 3d}, {@code 2w}, or ISO 8601. */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("([0-9]{1,6})([mhdw])");

    private Durations() {
    }

    /** The duration {@code text} names, positive; empty when it names none. */
    public static Optional<Duration> parse(String text) {
        String t = text.trim();
        Matcher m = SHORT.matcher(t);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        } else {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
    }

    /** What {@link #parse} accepts, for messages. */
    public static final String FORMS = "30m, 4h, 3d, 2w or ISO 8601 such as PT4H";
}
