package io.releasegate.changelog;

import io.releasegate.commits.ConventionalCommit;
import io.releasegate.commits.History;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Keep a Changelog section for the commits between two refs: entries grouped as Added, Changed,
 * Deprecated, Removed, Fixed and Security, breaking changes highlighted first with their migration
 * notes, each entry carrying its PR number, tickets and short SHA, backports marked with the
 * original commit. Commits without a ticket reference are refused unless that rule is switched off.
 */
public final class Changelog {

    /** Keep a Changelog's section names, in its order. */
    public static final List<String> SECTIONS = List.of("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security");

    private static final Pattern TICKET = Pattern.compile("\\b[A-Z][A-Z0-9]+(?:-\\d+)+\\b");
    private static final Pattern PR = Pattern.compile("\\(#(\\d+)\\)\\s*$");
    private static final Pattern MERGED_PR = Pattern.compile("^Merge pull request #(\\d+)");
    private static final String NO_TICKET = "no ticket reference (add a footer such as 'Refs: PAY-123')";
    private static final Set<String> TICKET_FOOTERS = Set.of("REFS", "CLOSES", "FIXES", "RESOLVES", "TICKET", "ISSUE");

    /** One line of the changelog. */
    public record Entry(String section, Optional<String> scope, String description, String sha,
                        Optional<String> pullRequest, List<String> tickets, boolean breaking,
                        List<String> breakingNotes, Optional<String> backportOf, List<String> risks) {
        public Entry {
            tickets = List.copyOf(tickets);
            breakingNotes = List.copyOf(breakingNotes);
            risks = List.copyOf(risks);
        }
    }

    /** A commit that does not meet the changelog's rules. */
    public record Problem(String sha, String subject, String reason) {
    }

    public record Result(String heading, String markdown, List<Entry> entries, List<Problem> problems,
                         Optional<String> from, String to) {
        public Result {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
        }
    }

    private final History history;
    private Optional<String> from = Optional.empty();
    private boolean fromGiven;
    private String to = "HEAD";
    private Optional<String> version = Optional.empty();
    private LocalDate date = LocalDate.now(java.time.ZoneOffset.UTC);
    private boolean requireTickets = true;

    public Changelog(History history) {
        this.history = Objects.requireNonNull(history, "history");
    }

    /**
     * Start (exclusive); empty means the beginning of history. When never set, the last release tag
     * reachable from {@code to}.
     */
    public Changelog from(Optional<String> value) {
        this.from = Objects.requireNonNull(value);
        this.fromGiven = true;
        return this;
    }

    public Changelog to(String value) {
        this.to = Objects.requireNonNull(value);
        return this;
    }

    /** The version the section is for; "Unreleased" when empty. */
    public Changelog version(Optional<String> value) {
        this.version = Objects.requireNonNull(value);
        return this;
    }

    public Changelog date(LocalDate value) {
        this.date = Objects.requireNonNull(value);
        return this;
    }

    /** Refuse commits without a ticket reference (the policy's default). */
    public Changelog requireTickets(boolean value) {
        this.requireTickets = value;
        return this;
    }

    public Result call() {
        Optional<String> start = fromGiven ? from : history.lastRelease(to).map(History.ReleaseTag::name);
        List<History.Commit> commits = history.range(start, to);
        List<Entry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, String> prByCommit = mergedPullRequests(commits);
        for (History.Commit c : commits) {
            if (c.isMerge()) {
                continue;
            }
            Optional<ConventionalCommit> cc = c.conventional();
            if (cc.isEmpty()) {
                problems.add(new Problem(c.sha(), c.subject(), "not a Conventional Commit"));
                if (!TICKET.matcher(c.message()).find()) {
                    problems.add(new Problem(c.sha(), c.subject(), NO_TICKET));
                }
                continue;
            }
            List<String> tickets = tickets(c.message(), cc.get());
            if (tickets.isEmpty()) {
                problems.add(new Problem(c.sha(), c.subject(), NO_TICKET));
            }
            Optional<String> section = section(cc.get());
            if (section.isEmpty() && !cc.get().breaking()) {
                continue; // docs, chore, test, ci, style, build: not for the changelog
            }
            Matcher pr = PR.matcher(cc.get().description());
            Optional<String> pullRequest = pr.find() ? Optional.of(pr.group(1)) : Optional.ofNullable(prByCommit.get(c.sha()));
            String description = PR.matcher(cc.get().description()).replaceFirst("").trim();
            entries.add(new Entry(section.orElse("Changed"), cc.get().scope(), description, c.sha(), pullRequest, tickets,
                    cc.get().breaking(), cc.get().breakingNotes(), cc.get().cherryPickedFrom(), cc.get().footer("Risk")));
        }
        if (requireTickets) {
            List<Problem> missing = problems.stream().filter(p -> p.reason().startsWith("no ticket")).toList();
            if (!missing.isEmpty()) {
                StringBuilder ev = new StringBuilder();
                for (Problem p : missing) {
                    ev.append(ev.length() == 0 ? "" : "; ").append(p.sha(), 0, 7).append(" \"").append(p.subject()).append('"');
                }
                throw new RefusedException(new Refusal("changelog.ticket-required",
                        missing.size() + " commit(s) without a ticket reference: " + ev,
                        "reword them with a 'Refs: TICKET-123' footer before release, or switch the rule off in the policy"));
            }
        }
        String heading = version.map(v -> "[" + v + "] - " + date).orElse("[Unreleased]");
        return new Result(heading, render(heading, entries), entries, problems, start, to);
    }

    static Optional<String> section(ConventionalCommit c) {
        if (!c.footer("Security").isEmpty() || c.type().equals("security") || c.scope().filter("security"::equals).isPresent()) {
            return Optional.of("Security");
        }
        if (!c.footer("Deprecated").isEmpty() || c.type().equals("deprecate")) {
            return Optional.of("Deprecated");
        }
        return switch (c.type()) {
            case "feat" -> Optional.of("Added");
            case "fix" -> Optional.of("Fixed");
            case "perf", "refactor", "revert" -> Optional.of("Changed");
            case "remove" -> Optional.of("Removed");
            default -> Optional.empty();
        };
    }

    private static List<String> tickets(String message, ConventionalCommit c) {
        Set<String> out = new LinkedHashSet<>();
        for (ConventionalCommit.Footer f : c.footers()) {
            if (TICKET_FOOTERS.contains(f.token().toUpperCase(java.util.Locale.ROOT))) {
                for (String part : f.value().split("[,\\s]+")) {
                    if (!part.isBlank() && !part.matches("[0-9a-f]{7,64}")) {
                        out.add(part.trim());
                    }
                }
            }
        }
        Matcher m = TICKET.matcher(message);
        while (m.find()) {
            if (!m.group().startsWith("CHANGE-")) {
                out.add(m.group());
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * PR numbers of the commits that "Merge pull request #N" merges brought in: from each merge's second
     * parent back through the range until the first-parent line (the trunk) is reached.
     */
    private static Map<String, String> mergedPullRequests(List<History.Commit> commits) {
        Map<String, History.Commit> bySha = new java.util.HashMap<>();
        commits.forEach(c -> bySha.put(c.sha(), c));
        Set<String> trunk = new java.util.HashSet<>();
        if (!commits.isEmpty()) {
            History.Commit c = commits.get(0);
            while (c != null && trunk.add(c.sha())) {
                c = c.parentShas().isEmpty() ? null : bySha.get(c.parentShas().get(0));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (History.Commit merge : commits) {
            Matcher m = MERGED_PR.matcher(merge.subject());
            if (merge.parentShas().size() < 2 || !m.find()) {
                continue;
            }
            java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(merge.parentShas().subList(1, merge.parentShas().size()));
            while (!queue.isEmpty()) {
                History.Commit side = bySha.get(queue.poll());
                if (side == null || trunk.contains(side.sha()) || out.containsKey(side.sha())) {
                    continue;
                }
                out.put(side.sha(), m.group(1));
                queue.addAll(side.parentShas());
            }
        }
        return out;
    }

    static String render(String heading, List<Entry> entries) {
        StringBuilder md = new StringBuilder("## ").append(heading).append("\n");
        List<Entry> breaking = entries.stream().filter(Entry::breaking).toList();
        if (!breaking.isEmpty()) {
            md.append("\n### ⚠ Breaking changes\n\n");
            for (Entry e : breaking) {
                for (String note : e.breakingNotes()) {
                    md.append("- ").append(scope(e)).append(note.replace("\n", "\n  ")).append(refs(e)).append('\n');
                }
            }
        }
        for (String section : SECTIONS) {
            List<Entry> in = entries.stream().filter(e -> e.section().equals(section)).toList();
            if (in.isEmpty()) {
                continue;
            }
            md.append("\n### ").append(section).append("\n\n");
            for (Entry e : in) {
                md.append("- ").append(scope(e)).append(e.description()).append(e.breaking() ? " **(breaking)**" : "")
                        .append(refs(e)).append('\n');
            }
        }
        return md.toString();
    }

    private static String scope(Entry e) {
        return e.scope().map(s -> "**" + s + ":** ").orElse("");
    }

    private static String refs(Entry e) {
        List<String> parts = new ArrayList<>();
        e.pullRequest().ifPresent(pr -> parts.add("#" + pr));
        parts.addAll(e.tickets());
        parts.add(e.sha().substring(0, 7));
        String s = " (" + String.join(", ", parts) + ")";
        if (e.backportOf().isPresent()) {
            s += " — backport of " + e.backportOf().get().substring(0, Math.min(7, e.backportOf().get().length()));
        }
        return s;
    }
}
