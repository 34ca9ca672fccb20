package io.releasegate.commits;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;

/**
 * The branch model: branch names follow the policy's patterns; a hotfix branch starts at a
 * production tag and carries nothing from main; after a release branch's cutoff (where it left
 * main) it takes only fixes, reverts and {@code -x} cherry-picks of commits already on main.
 */
public final class BranchCheck {

    /** The default name patterns, by kind. */
    public static final Map<String, Pattern> DEFAULT_PATTERNS;

    static {
        Map<String, Pattern> p = new LinkedHashMap<>();
        p.put("main", Pattern.compile("^main$"));
        p.put("feature", Pattern.compile("^feature/[A-Z][A-Z0-9]+-\\d+(?:-[a-z0-9][a-z0-9-]*)?$"));
        p.put("release", Pattern.compile("^release/\\d+\\.\\d+$"));
        p.put("hotfix", Pattern.compile("^hotfix/\\d+\\.\\d+\\.\\d+-[A-Z][A-Z0-9]*-\\d+$"));
        p.put("chore", Pattern.compile("^chore/[a-z0-9][a-z0-9-]*$"));
        p.put("backport", Pattern.compile("^backport/\\d+\\.\\d+/[A-Za-z0-9][A-Za-z0-9-]*$"));
        DEFAULT_PATTERNS = java.util.Collections.unmodifiableMap(p);
    }

    /** One broken rule, with the commit when a commit broke it. */
    public record Violation(String rule, Optional<String> commit, String message) {
    }

    public record Result(String branch, String kind, List<Violation> violations) {
        public Result {
            violations = List.copyOf(violations);
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

    public Result call() {
        String name = branch != null ? branch : history.currentBranch()
                .orElseThrow(() -> new InputException("HEAD is detached: give the branch name (e.g. Jenkins' BRANCH_NAME)"));
        String kind = patterns.entrySet().stream().filter(e -> e.getValue().matcher(name).matches()).map(Map.Entry::getKey)
                .findFirst().orElse("unknown");
        List<Violation> violations = new ArrayList<>();
        if (kind.equals("unknown")) {
            violations.add(new Violation("branch.name", Optional.empty(), "branch '" + name + "' matches none of the "
                    + "branch patterns: " + patterns.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().pattern()).toList()));
            return new Result(name, kind, violations);
        }
        if (kind.equals("hotfix")) {
            hotfix(name, violations);
        } else if (kind.equals("release")) {
            release(violations);
        }
        return new Result(name, kind, violations);
    }

    private void hotfix(String name, List<Violation> violations) {
        Optional<History.ReleaseTag> tag = history.lastRelease(rev);
        if (tag.isEmpty()) {
            violations.add(new Violation("branch.hotfix-from-production-tag", Optional.empty(),
                    name + " does not start from a release tag"));
            return;
        }
        // everything between the tag and the hotfix head must be the hotfix's own work, not main's
        Optional<ObjectId> main = optionalResolve(mainRef);
        for (History.Commit c : history.range(Optional.of(tag.get().commit()), rev)) {
            if (main.isPresent() && reachable(c.sha(), main.get())) {
                violations.add(new Violation("branch.hotfix-from-production-tag", Optional.of(c.sha()),
                        name + " carries " + c.shortSha() + " \"" + c.subject() + "\" from " + mainRef + ", after "
                                + tag.get().name() + ": cut hotfixes from the production tag, not from " + mainRef));
            }
        }
    }

    private void release(List<Violation> violations) {
        Optional<ObjectId> main = optionalResolve(mainRef);
        if (main.isEmpty()) {
            throw new InputException("cannot check a release branch without '" + mainRef + "' to compare with");
        }
        ObjectId cutoff = mergeBase(history.resolve(rev), main.get());
        for (History.Commit c : history.range(Optional.of(cutoff.name()), rev)) {
            if (c.isMerge()) {
                violations.add(new Violation("branch.release-after-cutoff", Optional.of(c.sha()),
                        c.shortSha() + " is a merge; after the cutoff a release branch takes only cherry-picks"));
                continue;
            }
            Optional<ConventionalCommit> cc = c.conventional();
            Optional<String> picked = cc.flatMap(ConventionalCommit::cherryPickedFrom);
            if (picked.isPresent()) {
                Optional<ObjectId> original = optionalResolve(picked.get());
                if (original.isEmpty() || !reachable(original.get().name(), main.get())) {
                    violations.add(new Violation("branch.release-after-cutoff", Optional.of(c.sha()),
                            c.shortSha() + " is cherry-picked from " + picked.get().substring(0, 7) + ", which is not on "
                                    + mainRef + ": fix on " + mainRef + " first, then cherry-pick with -x"));
                }
                continue;
            }
            String type = cc.map(ConventionalCommit::type).orElse("");
            if (!type.equals("fix") && !type.equals("revert")) {
                violations.add(new Violation("branch.release-after-cutoff", Optional.of(c.sha()),
                        c.shortSha() + " \"" + c.subject() + "\" is not a fix, a revert or a -x cherry-pick of a commit on "
                                + mainRef));
            }
        }
    }

    private Optional<ObjectId> optionalResolve(String r) {
        try {
            return Optional.ofNullable(history.repository().resolve(r + "^{commit}"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private boolean reachable(String sha, ObjectId from) {
        try (RevWalk walk = new RevWalk(history.repository())) {
            return walk.isMergedInto(walk.parseCommit(ObjectId.fromString(sha)), walk.parseCommit(from));
        } catch (IOException e) {
            throw new InputException("cannot walk history: " + e.getMessage(), e);
        }
    }

    private ObjectId mergeBase(ObjectId a, ObjectId b) {
        try (RevWalk walk = new RevWalk(history.repository())) {
            walk.setRevFilter(RevFilter.MERGE_BASE);
            walk.markStart(walk.parseCommit(a));
            walk.markStart(walk.parseCommit(b));
            RevCommit base = walk.next();
            if (base == null) {
                throw new InputException("the branch shares no history with " + mainRef);
            }
            return base.getId();
        } catch (IOException e) {
            throw new InputException("cannot walk history: " + e.getMessage(), e);
        }
    }
}
