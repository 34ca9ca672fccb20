package io.releasegate.commits;

import io.releasegate.error.InputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The branch model: branch names follow the policy's patterns; the hotfix and release branch rules are
 * {@link BranchRules}'s (the same rules {@code next-version} and {@code tag} apply): a hotfix branch
 * starts at a production tag, names PATCH+1 of it and carries nothing from main; after a release
 * branch's cutoff (where it left main) it takes only reverts, {@code -x} cherry-picks that carry the
 * change of a commit on main, and fixes of its own that the reviewed record on main justifies.
 */
public final class BranchCheck {

    /** The default name patterns, by kind. */
    public static final Map<String, Pattern> DEFAULT_PATTERNS;

    static {
        Map<String, Pattern> p = new LinkedHashMap<>();
        p.put("main", Pattern.compile("^main$"));
        p.put("feature", Pattern.compile("^feature/[A-Z][A-Z0-9]+-\\d+(?:-[a-z0-9][a-z0-9-]*)?$"));
        p.put("release", BranchRules.RELEASE_BRANCH);
        p.put("hotfix", BranchRules.HOTFIX_BRANCH);
        p.put("chore", Pattern.compile("^chore/[a-z0-9][a-z0-9-]*$"));
        p.put("backport", Pattern.compile("^backport/\\d+\\.\\d+/[A-Za-z0-9][A-Za-z0-9-]*$"));
        DEFAULT_PATTERNS = java.util.Collections.unmodifiableMap(p);
    }

    /** One broken rule, with the commit when a commit broke it, and what would satisfy the rule. */
    public record Violation(String rule, Optional<String> commit, String message, String remedy) {
        static Violation of(BranchRules.Breach b) {
            return new Violation(b.rule(), b.commit(), b.message(), b.remedy());
        }
    }

    /**
     * @param violations the broken rules: the branch does not follow the model
     * @param findings   what is worth a reviewer's look without breaking a rule (a cherry-pick whose change differs from
     *                   its original's)
     */
    public record Result(String branch, String kind, List<Violation> violations, List<Violation> findings) {
        public Result {
            violations = List.copyOf(violations);
            findings = List.copyOf(findings);
        }

        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private final History history;
    private String branch;
    private String rev = "HEAD";
    private String mainRef = "main";
    private Map<String, Pattern> patterns = DEFAULT_PATTERNS;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    public BranchCheck(History history) {
        this.history = Objects.requireNonNull(history, "history");
    }

    public BranchCheck branch(String value) {
        this.branch = value;
        return this;
    }

    public BranchCheck rev(String value) {
        this.rev = Objects.requireNonNull(value);
        return this;
    }

    public BranchCheck mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        return this;
    }

    public BranchCheck patterns(Map<String, Pattern> value) {
        this.patterns = Map.copyOf(value);
        return this;
    }

    /** The clock that dates the release-branch fix justifications' expiry. */
    public BranchCheck clock(java.time.Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        String name = branch != null ? branch : history.currentBranch()
                .orElseThrow(() -> new InputException("HEAD is detached: give the branch name (e.g. Jenkins' BRANCH_NAME)"));
        String kind = patterns.entrySet().stream().filter(e -> e.getValue().matcher(name).matches()).map(Map.Entry::getKey)
                .findFirst().orElse("unknown");
        List<Violation> violations = new ArrayList<>();
        List<Violation> findings = new ArrayList<>();
        if (kind.equals("unknown")) {
            violations.add(new Violation("branch.name", Optional.empty(), "branch '" + name + "' matches none of the "
                    + "branch patterns: " + patterns.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().pattern()).toList(),
                    "name the branch main, feature/TICKET-N-topic, release/X.Y, hotfix/X.Y.Z-TICKET, chore/slug or backport/X.Y/slug"));
            return new Result(name, kind, violations, findings);
        }
        if (kind.equals("hotfix")) {
            hotfix(name, violations);
        } else if (kind.equals("release")) {
            release(name, violations, findings);
        }
        return new Result(name, kind, violations, findings);
    }

    private void hotfix(String name, List<Violation> violations) {
        if (BranchRules.hotfixVersion(name).isEmpty()) {
            violations.add(new Violation("branch.name", Optional.empty(), "hotfix branch '" + name + "' must be named "
                    + "hotfix/X.Y.Z-TICKET (" + BranchRules.HOTFIX_BRANCH.pattern() + "), e.g. hotfix/1.4.2-INC-1",
                    "rename the branch"));
            return;
        }
        rules().hotfix(name, rev).breaches().forEach(b -> violations.add(Violation.of(b)));
    }

    private void release(String name, List<Violation> violations, List<Violation> findings) {
        BranchRules.ReleaseBranch r = rules().release(name, rev);
        r.breaches().forEach(b -> violations.add(Violation.of(b)));
        r.findings().forEach(b -> findings.add(Violation.of(b)));
    }

    private BranchRules rules() {
        return new BranchRules(history).mainRef(mainRef).clock(clock);
    }
}
