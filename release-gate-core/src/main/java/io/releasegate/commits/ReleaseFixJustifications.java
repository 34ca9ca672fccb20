package io.releasegate.commits;

import io.releasegate.approval.Identities;
import io.releasegate.error.InputException;
import io.releasegate.json.StrictYamlList;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reviewed record of the fixes made directly on a release branch ({@value #FILE}, read as the trunk, {@code main},
 * has it at the commit checked, never from a working tree nor from the release branch itself). The policy: a fix
 * originates on main and is cherry-picked to {@code release/X.Y} with {@code git cherry-pick -x}; a fix that only the
 * release branch needs (the code it fixes is gone from main) is allowed when this record justifies it. An entry names
 * the exact commit, the branch, why main does not need the fix, the tracking ticket, who wrote the entry and who
 * approved it; it justifies the commit only while it is complete, approved by someone who is neither the entry's
 * author nor the fix's author, and not past its {@code expires} date when it has one.
 *
 * <p>Why a file on main and not a commit trailer: a trailer is written by the committer of the fix, who would be
 * asserting their own justification; an entry on main goes through main's review like every other change of the trunk,
 * and a release branch cannot justify its own commits. Why not a ledger event: the branch model is checked from the
 * repository alone (the pipeline's first step, before any ledger is at hand), like the secrets allowlist.
 * <pre>
 * fixes:
 *   - commit: 4be1c0d0c2e9c8f8a7d0b3a0e1f2a3b4c5d6e7f8
 *     branch: release/1.4
 *     reason: the 1.4 schema only; main dropped the ledger_v1 table in 1.5
 *     ticket: PAY-118
 *     author: dev@example.com
 *     approvers: [lead@example.com]
 *     expires: 2027-06-30          # optional
 * </pre>
 */
public record ReleaseFixJustifications(String file, List<Entry> entries) {

    /** Where the record lives in the repository. */
    public static final String FILE = ".release/release-branch-fixes.yaml";

    private static final Set<String> KEYS = Set.of("commit", "branch", "reason", "ticket", "author", "approvers", "expires");

    /** One justified fix. */
    public record Entry(int index, String commit, String branch, String reason, String ticket, String author,
                        List<String> approvers, Optional<LocalDate> expires) {
        public Entry {
            approvers = List.copyOf(approvers);
        }
    }

    public ReleaseFixJustifications {
        entries = List.copyOf(entries);
    }

    public static ReleaseFixJustifications none() {
        return new ReleaseFixJustifications("none", List.of());
    }

    /** Strict: an unknown key, a missing field, a commit that is not a full id or a bad date is an input error naming the entry. */
    public static ReleaseFixJustifications parse(String file, String text) {
        List<Entry> out = new ArrayList<>();
        for (StrictYamlList.Item item : StrictYamlList.read("release-branch fixes", file, text, "fixes", KEYS)) {
            int i = item.index() - 1;
            String where = item.where();
            Map<?, ?> e = item.fields();
            String commit = required(e, "commit", where).toLowerCase(java.util.Locale.ROOT);
            if (!commit.matches("[0-9a-f]{40}")) {
                throw new InputException(where + ": commit '" + commit + "' is not a full commit id (40 hex digits)");
            }
            String branch = required(e, "branch", where);
            if (!BranchRules.RELEASE_BRANCH.matcher(branch).matches()) {
                throw new InputException(where + ": branch '" + branch + "' is not a release branch (release/X.Y)");
            }
            Object a = e.get("approvers");
            List<String> approvers = a instanceof List<?> l ? l.stream().map(String::valueOf).map(String::trim)
                    .filter(s -> !s.isEmpty()).toList() : a == null ? List.of() : List.of(String.valueOf(a).trim());
            if (approvers.isEmpty()) {
                throw new InputException(where + ": missing approvers (someone other than the entry's and the fix's author)");
            }
            out.add(new Entry(i + 1, commit, branch, required(e, "reason", where), required(e, "ticket", where),
                    required(e, "author", where), approvers, date(e.get("expires"), where)));
        }
        return new ReleaseFixJustifications(file, out);
    }

    private static String required(Map<?, ?> e, String key, String where) {
        return new StrictYamlList.Item(0, where, e).required(key,
                "every entry names the commit, the branch, the reason, the ticket, its author and its approvers");
    }

    private static Optional<LocalDate> date(Object o, String where) {
        if (o == null) {
            return Optional.empty();
        }
        if (o instanceof java.util.Date d) {
            return Optional.of(d.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate());
        }
        try {
            return Optional.of(LocalDate.parse(String.valueOf(o).trim()));
        } catch (java.time.DateTimeException e) {
            throw new InputException(where + ": expires '" + o + "' is not a date (YYYY-MM-DD)", e);
        }
    }

    /**
     * Whether a fix is justified: empty when a valid entry covers it, otherwise why not (no entry, or what is wrong with
     * each entry naming it).
     */
    public Optional<String> whyNot(History.Commit fix, String branch, LocalDate today) {
        List<String> why = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.commit().equals(fix.sha())) {
                continue;
            }
            String name = file + " entry " + e.index();
            if (!e.branch().equals(branch)) {
                why.add(name + " justifies it on " + e.branch() + ", not " + branch);
                continue;
            }
            Set<String> authors = Identities.forms(e.author());
            authors.addAll(Identities.forms(fix.authorName(), fix.authorEmail()));
            if (e.approvers().stream().allMatch(a -> Identities.matches(a, authors))) {
                why.add(name + " is approved only by " + e.approvers() + ", the entry's or the fix's author; "
                        + "the author is never the sole approver");
                continue;
            }
            if (e.expires().isPresent() && today.isAfter(e.expires().get())) {
                why.add(name + " expired on " + e.expires().get());
                continue;
            }
            return Optional.empty();
        }
        return Optional.of(why.isEmpty() ? "no entry of " + file + " names it" : String.join("; ", why));
    }
}
