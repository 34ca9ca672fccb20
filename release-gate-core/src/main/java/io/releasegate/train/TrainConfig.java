package io.releasegate.train;

import io.releasegate.error.InputException;
import io.releasegate.json.StrictYamlList;
import io.releasegate.policy.Durations;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A release train as the repository declares it in {@value #FILE} on main (schema
 * {@code io/releasegate/schemas/release-train-v1.schema.json}): a release of {@code train} is cut every {@code cadence}
 * at the cutoff, stabilized on {@code release/X.Y} for {@code stabilization}, decided at the go/no-go meeting and
 * promoted to production at the planned time, which the production change window must allow.
 * <pre>
 * version: 1
 * train: payments                    # the service the train releases (NAME of NAME@VERSION)
 * timezone: Europe/Paris             # of every time below; default UTC
 * cadence: 2w                        # whole days or weeks: 7d, 1w, 2w …
 * cutoff: "2026-12-01T12:00"         # the first train's cutoff, a local date and time
 * stabilization: 2d                  # from the cutoff to the go/no-go day
 * goNoGo: "10:00"                    # the go/no-go meeting, on the day stabilization ends
 * production: "11:00"                # the planned production time, that same day
 * attendees: [alice, bob, dora]
 * captain: alice                     # runs the train
 * releaseManagers: [bob]             # decide go/no-go, record freezes
 * releaseBranch: true                # false: no release/X.Y, and skipBranchRationale says why
 * freezeMain: false                  # true: main is frozen during stabilization, by a recorded freeze
 * </pre>
 * Strict: an unknown key, a missing required key, a malformed time or duration, a cadence that is not whole days, a
 * stabilization that does not end before the next cutoff, a production time not after the go/no-go, or a skipped
 * release branch without a rationale is an input error naming the file and the key.
 */
public record TrainConfig(String file, String train, ZoneId zone, int cadenceDays, LocalDateTime firstCutoff,
                          Duration stabilization, LocalTime goNoGo, LocalTime production, List<String> attendees,
                          String captain, List<String> releaseManagers, boolean releaseBranch,
                          Optional<String> skipBranchRationale, boolean freezeMain) {

    /** Where a repository declares its train. */
    public static final String FILE = "release-train.yaml";
    static final Set<String> KEYS = Set.of("version", "train", "timezone", "cadence", "cutoff", "stabilization", "goNoGo",
            "production", "attendees", "captain", "releaseManagers", "releaseBranch", "skipBranchRationale", "freezeMain");
    private static final Set<String> REQUIRED = Set.of("version", "train", "cadence", "cutoff", "stabilization", "goNoGo",
            "production", "attendees", "captain", "releaseManagers");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    public TrainConfig {
        attendees = List.copyOf(attendees);
        releaseManagers = List.copyOf(releaseManagers);
    }

    /**
     * One train: its id ({@code TRAIN-YYYY-MM-DD}, the cutoff's local date), its cutoff, the end of its stabilization,
     * its go/no-go meeting and its planned production time.
     */
    public record Occurrence(String id, int index, Instant cutoff, Instant stabilizationEnds, Instant goNoGo,
                             Instant production) {
    }

    /** The {@code index}th train (0: the first cutoff). */
    public Occurrence occurrence(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("no train before the first");
        }
        ZonedDateTime cutoff = firstCutoff.atZone(zone).plusDays((long) index * cadenceDays);
        ZonedDateTime stabilized = cutoff.plus(stabilization);
        ZonedDateTime meeting = stabilized.toLocalDate().atTime(goNoGo).atZone(zone);
        if (meeting.isBefore(stabilized)) {
            meeting = meeting.plusDays(1);
        }
        ZonedDateTime prod = meeting.toLocalDate().atTime(production).atZone(zone);
        return new Occurrence(train + "-" + cutoff.toLocalDate(), index, cutoff.toInstant(), stabilized.toInstant(),
                meeting.toInstant(), prod.toInstant());
    }

    /** The train whose cutoff is the latest at or before {@code now}; empty before the first cutoff. */
    public Optional<Occurrence> current(Instant now) {
        Instant first = firstCutoff.atZone(zone).toInstant();
        if (now.isBefore(first)) {
            return Optional.empty();
        }
        int index = (int) Math.max(0, Duration.between(first, now).toDays() / cadenceDays - 1);
        while (!occurrence(index + 1).cutoff().isAfter(now)) {
            index++;
        }
        return Optional.of(occurrence(index));
    }

    /** The trains not yet in production at {@code now} (the one in stabilization first), {@code count} of them. */
    public List<Occurrence> upcoming(Instant now, int count) {
        int index = current(now).map(Occurrence::index).orElse(0);
        if (occurrence(index).production().isBefore(now)) {
            index++;
        }
        List<Occurrence> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(occurrence(index + i));
        }
        return out;
    }

    /** The train whose id is {@code id}. */
    public Optional<Occurrence> byId(String id) {
        String prefix = train + "-";
        if (!id.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            java.time.LocalDate day = java.time.LocalDate.parse(id.substring(prefix.length()));
            long days = java.time.temporal.ChronoUnit.DAYS.between(firstCutoff.toLocalDate(), day);
            if (days < 0 || days % cadenceDays != 0) {
                return Optional.empty();
            }
            return Optional.of(occurrence((int) (days / cadenceDays)));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code who} is one of the train's release managers. */
    public boolean releaseManager(String who) {
        return io.releasegate.approval.Identities.matches(who,
                io.releasegate.approval.Identities.forms(releaseManagers.toArray(String[]::new)));
    }

    /** The train declared at {@code commit} (which {@code ref} names, for messages); empty when none is. */
    public static Optional<TrainConfig> at(io.releasegate.commits.History history, String commit, String ref) {
        return io.releasegate.policy.CommittedFiles.read(history.repository(), commit, FILE).map(t -> parse(FILE + "@" + ref, t));
    }

    /** The train main ({@code mainRef}) declares; refused as input when it declares none. */
    public static TrainConfig onMain(io.releasegate.commits.History history, String mainRef) {
        String main = history.resolve(mainRef).name();
        return at(history, main, mainRef).orElseThrow(() -> new InputException(mainRef + " declares no release train: commit a "
                + FILE + " there (schema release-train-v1; see docs/trains.md)"));
    }

    /** The train file's text, as {@code file} names it; see the class comment for what it must say. */
    public static TrainConfig parse(String file, String text) {
        Object doc = StrictYamlList.document("release train", file, text);
        if (!(doc instanceof Map<?, ?> m)) {
            throw new InputException("release train " + file + " must be a mapping of " + new TreeSet<>(KEYS));
        }
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw error(file, String.valueOf(k), "unknown key; valid keys: " + new TreeSet<>(KEYS));
            }
        }
        for (String k : new TreeSet<>(REQUIRED)) {
            if (m.get(k) == null) {
                throw error(file, k, "missing (every train names " + new TreeSet<>(REQUIRED) + ")");
            }
        }
        if (!"1".equals(String.valueOf(m.get("version")))) {
            throw error(file, "version", "unsupported version " + m.get("version") + "; this release of Release Gate reads version 1");
        }
        String train = text(m, "train", file);
        if (!NAME.matcher(train).matches()) {
            throw error(file, "train", "'" + train + "' is not a release name (lower case letters, digits, . _ -)");
        }
        ZoneId zone;
        try {
            zone = m.get("timezone") == null ? ZoneId.of("UTC") : ZoneId.of(text(m, "timezone", file));
        } catch (DateTimeException e) {
            throw error(file, "timezone", "unknown time zone '" + m.get("timezone") + "' (e.g. UTC, Europe/Paris)");
        }
        Duration cadence = duration(m, "cadence", file);
        if (cadence.toSeconds() % 86_400 != 0) {
            throw error(file, "cadence", "a cadence is whole days or weeks (7d, 1w, 2w), not " + m.get("cadence"));
        }
        LocalDateTime cutoff;
        try {
            cutoff = LocalDateTime.parse(text(m, "cutoff", file));
        } catch (DateTimeException e) {
            throw error(file, "cutoff", "'" + m.get("cutoff") + "' is not a local date and time such as \"2026-12-01T12:00\" "
                    + "(quoted)");
        }
        Duration stabilization = duration(m, "stabilization", file);
        LocalTime goNoGo = time(m, "goNoGo", file);
        LocalTime production = time(m, "production", file);
        if (!production.isAfter(goNoGo)) {
            throw error(file, "production", "the planned production time " + production + " must come after the go/no-go "
                    + "meeting at " + goNoGo);
        }
        boolean releaseBranch = bool(m, "releaseBranch", true, file);
        Optional<String> rationale = m.get("skipBranchRationale") == null ? Optional.empty()
                : Optional.of(text(m, "skipBranchRationale", file));
        if (!releaseBranch && rationale.isEmpty()) {
            throw error(file, "skipBranchRationale", "a train without a release branch records why (skipBranchRationale)");
        }
        if (releaseBranch && rationale.isPresent()) {
            throw error(file, "skipBranchRationale", "only a train with releaseBranch: false skips the release branch");
        }
        List<String> managers = texts(m, "releaseManagers", file);
        if (managers.isEmpty()) {
            throw error(file, "releaseManagers", "a train needs at least one release manager");
        }
        if (cadence.toDays() > 366) {
            throw error(file, "cadence", "a train leaves at least once a year, not every " + m.get("cadence"));
        }
        if (cutoff.getYear() < 2000 || cutoff.getYear() > 2999) {
            throw error(file, "cutoff", "the first cutoff " + cutoff + " is not a date of this millennium");
        }
        TrainConfig c = new TrainConfig(file, train, zone, (int) cadence.toDays(), cutoff, stabilization, goNoGo, production,
                texts(m, "attendees", file), text(m, "captain", file), managers, releaseBranch, rationale,
                bool(m, "freezeMain", false, file));
        Occurrence first;
        Occurrence second;
        try {
            first = c.occurrence(0);
            second = c.occurrence(1);
        } catch (DateTimeException | ArithmeticException e) {
            throw error(file, "stabilization", "the schedule is out of range: " + e.getMessage());
        }
        if (!first.production().isBefore(second.cutoff())) {
            throw error(file, "stabilization", "a train must reach production (" + first.production() + ") before the next "
                    + "cutoff (" + second.cutoff() + "): shorten the stabilization or lengthen the cadence");
        }
        return c;
    }

    private static InputException error(String file, String key, String message) {
        return new InputException("release train " + file + ": " + key + ": " + message);
    }

    private static String text(Map<?, ?> m, String key, String file) {
        Object v = m.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw error(file, key, "must be a non-empty text" + (v instanceof Integer || v instanceof java.util.Date
                    ? " (quote it: YAML reads " + v + " as a number or a date)" : ""));
        }
        return s.strip();
    }

    private static List<String> texts(Map<?, ?> m, String key, String file) {
        Object v = m.get(key);
        if (!(v instanceof List<?> l)) {
            throw error(file, key, "must be a list of names");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw error(file, key, "every entry must be a non-empty name, not " + o);
            }
            out.add(s.strip());
        }
        return out;
    }

    private static boolean bool(Map<?, ?> m, String key, boolean otherwise, String file) {
        Object v = m.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!(v instanceof Boolean b)) {
            throw error(file, key, "must be true or false, not " + v);
        }
        return b;
    }

    private static Duration duration(Map<?, ?> m, String key, String file) {
        String t = text(m, key, file);
        return Durations.parse(t).orElseThrow(() -> error(file, key, "'" + t + "' is not a positive duration ("
                + Durations.FORMS + ")"));
    }

    private static LocalTime time(Map<?, ?> m, String key, String file) {
        Object v = m.get(key);
        if (v instanceof Integer) {
            throw error(file, key, "quote the time (\"10:00\"): unquoted, YAML reads it as the number " + v);
        }
        try {
            return LocalTime.parse(text(m, key, file));
        } catch (DateTimeException e) {
            throw error(file, key, "'" + v + "' is not a time of day such as \"10:00\"");
        }
    }
}
