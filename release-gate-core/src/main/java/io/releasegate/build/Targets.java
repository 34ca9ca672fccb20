package io.releasegate.build;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.ledger.Event;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The targets a release declares it must ship (one artifact per platform, say {@code app-linux-amd64.tar.gz} and
 * {@code app-linux-arm64.tar.gz}, or a glob such as {@code app-*-arm64.*}): recorded by {@link BuildOnce} in the
 * {@code built} event as {@code expectedTargets}, next to the subjects it actually published. A release is
 * incomplete while a target matches none of its subjects: promotion to production refuses it and {@code audit}
 * reports it, so a partial build can be tested but never released.
 */
public final class Targets {

    /** The rule of a promotion refused, and of an audit finding, for a missing target. */
    public static final String MISSING = "targets.missing";

    private Targets() {
    }

    /** Trimmed, de-duplicated, each a valid glob; an empty entry is refused. */
    public static List<String> validate(List<String> targets) {
        List<String> out = new ArrayList<>();
        for (String t : targets) {
            String s = t == null ? "" : t.trim();
            if (s.isEmpty()) {
                throw new InputException("an expected target is empty: give the subject name (or a glob) each target's artifact has");
            }
            matcher(s);
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    /** The targets {@code built} declares that none of its subjects matches, in their declared order. */
    public static List<String> missing(Event built) {
        JsonNode payload = built.payload();
        List<String> subjects = new ArrayList<>();
        payload.path("subjects").forEach(s -> subjects.add(s.path("name").asText("")));
        List<String> missing = new ArrayList<>();
        for (JsonNode t : payload.path("expectedTargets")) {
            String target = t.asText("");
            PathMatcher m;
            try {
                m = matcher(target);
            } catch (InputException e) {
                missing.add(target);
                continue;
            }
            if (subjects.stream().noneMatch(s -> s.equals(target) || matches(m, s))) {
                missing.add(target);
            }
        }
        return List.copyOf(missing);
    }

    private static boolean matches(PathMatcher m, String subject) {
        try {
            return !subject.isEmpty() && m.matches(Path.of(subject));
        } catch (java.nio.file.InvalidPathException notAPath) {
            return false;
        }
    }

    private static PathMatcher matcher(String glob) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (RuntimeException e) {
            throw new InputException("the expected target '" + glob + "' is not a valid glob: " + e.getMessage());
        }
    }
}
