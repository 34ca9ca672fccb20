package io.releasegate.commits;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A commit message read as Conventional Commits 1.0: {@code type(scope)!: description}, an optional
 * body, and footers ({@code Token: value} or {@code Token #value}), including
 * {@code BREAKING CHANGE:}. The {@code (cherry picked from commit <sha>)} line that {@code git
 * cherry-pick -x} writes is read too.
 */
public record ConventionalCommit(String type, Optional<String> scope, boolean breaking, String description,
                                 String body, List<Footer> footers, Optional<String> cherryPickedFrom) {

    public ConventionalCommit {
        footers = List.copyOf(footers);
    }

    /** A footer: {@code Refs: PAY-101}, {@code BREAKING CHANGE: ...}, {@code Reviewed-by: ...}. */
    public record Footer(String token, String value) {
    }

    /** Values of every footer with this token (case-insensitive; {@code BREAKING-CHANGE} = {@code BREAKING CHANGE}). */
    public List<String> footer(String token) {
        String wanted = normalise(token);
        return footers.stream().filter(f -> normalise(f.token()).equals(wanted)).map(Footer::value).toList();
    }

    /** The breaking-change notes: the {@code BREAKING CHANGE} footers, or the description when only {@code !} marks it. */
    public List<String> breakingNotes() {
        List<String> notes = footer("BREAKING CHANGE");
        if (!notes.isEmpty()) {
            return notes;
        }
        return breaking ? List.of(description) : List.of();
    }

    private static String normalise(String token) {
        return token.toUpperCase(Locale.ROOT).replace('-', ' ');
    }
}
