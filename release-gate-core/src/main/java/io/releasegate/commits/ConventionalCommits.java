package io.releasegate.commits;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses commit messages as Conventional Commits 1.0. A message either parses or is refused with the
 * reason, so that {@code commits lint} can name what is wrong with each commit.
 */
public final class ConventionalCommits {

    private static final Pattern HEADER = Pattern.compile(
            "^(?<type>[A-Za-z][A-Za-z0-9-]*)(?:\\((?<scope>[^()\\r\\n]+)\\))?(?<bang>!)?: (?<desc>\\S.*)$");
    private static final Pattern FOOTER = Pattern.compile(
            "^(?<token>BREAKING[ -]CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #)(?<value>.*)$");
    private static final Pattern CHERRY = Pattern.compile("\\(cherry picked from commit ([0-9a-f]{7,64})\\)");
    private static final Pattern MERGE = Pattern.compile("^Merge (?:pull request|branch|remote-tracking branch|tag) .*");
    private static final Pattern REVERT = Pattern.compile("^Revert \"(?<subject>.*)\"$");
    private static final Pattern REVERTS_SHA = Pattern.compile("This reverts commit ([0-9a-f]{7,64})");

    private ConventionalCommits() {
    }

    /** The outcome of parsing one message. */
    public sealed interface Parsed {
    }

    public record Valid(ConventionalCommit commit) implements Parsed {
    }

    /** A merge commit made by git or a forge: not itself a change, its parents carry the changes. */
    public record Merge(String subject) implements Parsed {
    }

    /** Not a Conventional Commit, and why. */
    public record Invalid(String subject, String reason) implements Parsed {
    }

    public static Parsed parse(String message) {
        String normalised = message.replace("\r\n", "\n").strip();
        String[] lines = normalised.split("\n", -1);
        String subject = lines.length == 0 ? "" : lines[0];
        if (subject.isBlank()) {
            return new Invalid(subject, "empty commit message");
        }
        if (MERGE.matcher(subject).matches()) {
            return new Merge(subject);
        }
        Matcher revert = REVERT.matcher(subject);
        if (revert.matches()) {
            // git revert's default message: a revert of the quoted commit, a patch-level change
            Matcher sha = REVERTS_SHA.matcher(normalised);
            String description = revert.group("subject");
            List<ConventionalCommit.Footer> footers = new ArrayList<>();
            if (sha.find()) {
                footers.add(new ConventionalCommit.Footer("Refs", sha.group(1)));
            }
            footers.addAll(footers(lines, 1));
            return new Valid(new ConventionalCommit("revert", Optional.empty(), false, description,
                    body(lines), footers, cherry(normalised)));
        }
        Matcher h = HEADER.matcher(subject);
        if (!h.matches()) {
            return new Invalid(subject, reason(subject));
        }
        if (lines.length > 1 && !lines[1].isEmpty()) {
            return new Invalid(subject, "the body must be separated from the subject by a blank line");
        }
        List<ConventionalCommit.Footer> footers = footers(lines, 2);
        boolean breaking = h.group("bang") != null
                || footers.stream().anyMatch(f -> f.token().matches("BREAKING[ -]CHANGE"));
        return new Valid(new ConventionalCommit(h.group("type").toLowerCase(java.util.Locale.ROOT),
                Optional.ofNullable(h.group("scope")).map(String::trim), breaking, h.group("desc").trim(), body(lines),
                footers, cherry(normalised)));
    }

    private static String reason(String subject) {
        int colon = subject.indexOf(':');
        if (colon < 0) {
            return "no 'type: description' header (e.g. 'fix(api): reject negative amounts')";
        }
        if (colon + 1 >= subject.length() || subject.charAt(colon + 1) != ' ') {
            return "a single space must follow the ':' after the type";
        }
        String prefix = subject.substring(0, colon);
        if (prefix.isBlank() || !Character.isLetter(prefix.charAt(0))) {
            return "the type must be a word such as feat or fix";
        }
        if (prefix.contains("(") && !prefix.matches(".*\\([^()]+\\)!?")) {
            return "the scope must be a non-empty name in parentheses, e.g. feat(api):";
        }
        if (subject.substring(colon + 1).isBlank()) {
            return "the description after 'type:' is empty";
        }
        return "the type must be a single word, e.g. feat, fix, docs, chore";
    }

    /** Body: the lines after the blank line, up to the footer block. */
    private static String body(String[] lines) {
        int footerStart = footerStart(lines);
        StringBuilder sb = new StringBuilder();
        for (int i = 2; i < footerStart; i++) {
            if (CHERRY.matcher(lines[i]).find()) {
                continue;
            }
            sb.append(lines[i]).append('\n');
        }
        return sb.toString().strip();
    }

    /** The footer block is the last paragraph when each of its lines starts a footer (or continues one). */
    private static int footerStart(String[] lines) {
        int lastBlank = -1;
        for (int i = lines.length - 1; i >= 1; i--) {
            if (lines[i].isBlank()) {
                lastBlank = i;
                break;
            }
        }
        if (lastBlank < 0 || lastBlank + 1 >= lines.length) {
            return lines.length;
        }
        String first = lines[lastBlank + 1];
        if (!FOOTER.matcher(first).matches() && !CHERRY.matcher(first).find()) {
            return lines.length;
        }
        return lastBlank + 1;
    }

    private static List<ConventionalCommit.Footer> footers(String[] lines, int from) {
        List<ConventionalCommit.Footer> out = new ArrayList<>();
        int start = Math.max(from, footerStart(lines));
        for (int i = start; i < lines.length; i++) {
            Matcher f = FOOTER.matcher(lines[i]);
            if (f.matches()) {
                out.add(new ConventionalCommit.Footer(f.group("token"), f.group("value").trim()));
            } else if (!out.isEmpty() && !CHERRY.matcher(lines[i]).find() && !lines[i].isBlank()) {
                ConventionalCommit.Footer last = out.remove(out.size() - 1);
                out.add(new ConventionalCommit.Footer(last.token(), last.value() + "\n" + lines[i]));
            }
        }
        return out;
    }

    private static Optional<String> cherry(String message) {
        Matcher m = CHERRY.matcher(message);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return Optional.ofNullable(found);
    }
}
