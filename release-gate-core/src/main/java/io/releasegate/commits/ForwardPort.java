package io.releasegate.commits;

import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.policy.Policy;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The forward-port check: after a hotfix {@code vX.Y.Z} reaches production, its commits must reach main and every
 * release branch of its minor or a newer one ({@code release/A.B}, A.B &ge; X.Y), within
 * {@code branches.forwardPortDays} of the hotfix tag.
 *
 * <p>What the repository knows, and nothing else: a hotfix is a final release tag {@code vX.Y.Z} with Z &ge; 1 whose
 * commit is not on main (a release tag is what reached production); its commits are those between the release it was
 * cut from (the last release before it reachable from it, of the same MAJOR.MINOR) and the tag, merges left out. A
 * commit is on a target when it is reachable from it (a merge brought it), when a commit of the target says
 * {@code (cherry picked from commit C)} and carries its change (the patch id; a pick whose conflicts were resolved by
 * hand still counts, one with no file in common does not), when the commit is itself a pick of a commit on the target,
 * or when a commit of the target made since the release the hotfix was cut from has the same patch id. A commit that
 * {@link ReleaseFixJustifications} on main justifies as release-branch only (for {@code release/X.Y}) is not required.
 */
public final class ForwardPort {

    /** How a hotfix commit was found on a target. */
    public enum How { ANCESTRY, CHERRY_PICK, ORIGIN, PATCH_ID }

    /** A hotfix commit found on a target: how, and through which commit of the target. */
    public record Present(String commit, String target, How how, String via, boolean patchDiffers) {
    }

    /** A hotfix commit not (yet) on a target; overdue once {@code due} has passed. */
    public record Missing(String hotfixTag, String commit, String subject, String target, Instant tagged, Instant due,
                          boolean overdue) {
        public String shortSha() {
            return commit.substring(0, 7);
        }

        /** The refusal of a release of {@code target} while this commit is missing and overdue. */
        public Refusal refusal() {
            return new Refusal("release.missing-hotfix", target + " lacks " + shortSha() + " \"" + subject + "\" of hotfix "
                    + hotfixTag + ", due on " + target + " by " + due + " (branches.forwardPortDays after the tag)",
                    "forward-port it: git switch " + target + " && git cherry-pick -x " + commit
                            + " (or merge the hotfix), then release again");
        }
    }

    /** One hotfix: its tag, the release it was cut from, when it was tagged and when its forward ports are due. */
    public record Hotfix(String tag, String base, Instant tagged, Instant due, List<String> commits, List<String> exempt,
                         List<String> targets, List<Present> present, List<Missing> missing) {
        public Hotfix {
            commits = List.copyOf(commits);
            exempt = List.copyOf(exempt);
            targets = List.copyOf(targets);
            present = List.copyOf(present);
            missing = List.copyOf(missing);
        }
    }

    public record Result(List<Hotfix> hotfixes) {
        public Result {
            hotfixes = List.copyOf(hotfixes);
        }

        public List<Missing> missing() {
            return hotfixes.stream().flatMap(h -> h.missing().stream()).toList();
        }

        public List<Missing> overdue() {
            return missing().stream().filter(Missing::overdue).toList();
        }
    }

    private final History history;
    private final BranchRules rules;
    private String mainRef = "main";
    private int days = Policy.Branches.DEFAULT_FORWARD_PORT_DAYS;
    private Clock clock = Clock.systemUTC();
    private Optional<Integer> sinceDays = Optional.empty();
    private Optional<Map.Entry<String, String>> onlyTarget = Optional.empty();

    public ForwardPort(History history) {
        this.history = Objects.requireNonNull(history, "history");
        this.rules = new BranchRules(history);
    }

    public ForwardPort mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        rules.mainRef(value);
        return this;
    }

    /** {@code branches.forwardPortDays}: the days after a hotfix tag by which its commits are due on every target. */
    public ForwardPort days(int value) {
        if (value < 0) {
            throw new InputException("the forward-port time must be 0 days or more, not " + value);
        }
        this.days = value;
        return this;
    }

    public ForwardPort clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        rules.clock(value);
        return this;
    }

    /** Only the hotfixes tagged within the last {@code value} days. */
    public ForwardPort since(Optional<Integer> value) {
        value.ifPresent(d -> {
            if (d < 0) {
                throw new InputException("--since must be 0 days or more, not " + d);
            }
        });
        this.sinceDays = Objects.requireNonNull(value);
        return this;
    }

    /**
     * Only one target: the branch {@code branch} (main or {@code release/A.B}) at {@code rev}, as a release of it would
     * be made; every hotfix that target should contain is checked against {@code rev}.
     */
    public ForwardPort target(String branch, String rev) {
        this.onlyTarget = Optional.of(Map.entry(branch, history.resolve(rev).name()));
        return this;
    }

    public Result call() {
        Optional<ObjectId> main = rules.optionalResolve(mainRef);
        Instant now = clock.instant();
        Map<String, ObjectId> releaseBranches = releaseBranches();
        ReleaseFixJustifications justified = rules.justifications();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<Hotfix> out = new ArrayList<>();
        List<History.ReleaseTag> tags = new ArrayList<>(history.releaseTags());
        tags.sort(Comparator.comparing(History.ReleaseTag::version));
        for (History.ReleaseTag tag : tags) {
            SemVer v = tag.version();
            if (v.isPreRelease() || v.patch().signum() == 0) {
                continue;
            }
            if (main.isPresent() && rules.reachable(tag.commit(), main.get())) {
                continue; // released from main: not a hotfix
            }
            Optional<History.ReleaseTag> base = history.lastRelease(tag.name(), Optional.of(v));
            if (base.isEmpty() || !base.get().version().major().equals(v.major()) || !base.get().version().minor().equals(v.minor())) {
                continue;
            }
            Instant tagged = taggedAt(tag);
            if (sinceDays.isPresent() && tagged.isBefore(now.minus(Duration.ofDays(sinceDays.get())))) {
                continue;
            }
            Instant due = tagged.plus(Duration.ofDays(days));
            Map<String, ObjectId> targets = targets(v, main, releaseBranches);
            if (targets.isEmpty()) {
                continue;
            }
            List<History.Commit> commits = history.range(Optional.of(base.get().commit()), tag.commit()).stream()
                    .filter(c -> !c.isMerge()).toList();
            String ownBranch = "release/" + v.major() + "." + v.minor();
            List<String> exempt = new ArrayList<>();
            List<History.Commit> required = new ArrayList<>();
            for (History.Commit c : commits) {
                if (justified.whyNot(c, ownBranch, today).isEmpty()) {
                    exempt.add(c.sha());
                } else {
                    required.add(c);
                }
            }
            List<Present> present = new ArrayList<>();
            List<Missing> missing = new ArrayList<>();
            Instant since = commitTime(base.get().commit());
            for (Map.Entry<String, ObjectId> t : targets.entrySet()) {
                boolean all = rules.reachable(tag.commit(), t.getValue());
                List<History.Commit> candidates = all ? List.of() : history.range(Optional.of(tag.commit()), t.getValue().name())
                        .stream().filter(p -> !p.isMerge()).toList();
                for (History.Commit c : required) {
                    Optional<Present> found = all ? Optional.of(new Present(c.sha(), t.getKey(), How.ANCESTRY, tag.commit(), false))
                            : find(c, t.getKey(), t.getValue(), candidates, since);
                    if (found.isPresent()) {
                        present.add(found.get());
                    } else {
                        missing.add(new Missing(tag.name(), c.sha(), c.subject(), t.getKey(), tagged, due, now.isAfter(due)));
                    }
                }
            }
            out.add(new Hotfix(tag.name(), base.get().name(), tagged, due, commits.stream().map(History.Commit::sha).toList(),
                    exempt, List.copyOf(targets.keySet()), present, missing));
        }
        return new Result(out);
    }

    private Optional<Present> find(History.Commit c, String target, ObjectId head, List<History.Commit> candidates, Instant since) {
        if (rules.reachable(c.sha(), head)) {
            return Optional.of(new Present(c.sha(), target, How.ANCESTRY, c.sha(), false));
        }
        for (History.Commit p : candidates) {
            if (p.conventional().flatMap(ConventionalCommit::cherryPickedFrom).filter(c.sha()::equals).isPresent()) {
                BranchRules.PickCheck check = rules.verifyPick(p.sha(), c.sha());
                if (check.match() != BranchRules.PickMatch.UNRELATED) {
                    return Optional.of(new Present(c.sha(), target, How.CHERRY_PICK, p.sha(), check.match() == BranchRules.PickMatch.DIFFERS));
                }
            }
        }
        Optional<String> origin = c.conventional().flatMap(ConventionalCommit::cherryPickedFrom);
        if (origin.isPresent()) {
            Optional<ObjectId> s = rules.optionalResolve(origin.get());
            if (s.isPresent() && rules.reachable(s.get().name(), head)) {
                BranchRules.PickCheck check = rules.verifyPick(c.sha(), s.get().name());
                if (check.match() != BranchRules.PickMatch.UNRELATED) {
                    return Optional.of(new Present(c.sha(), target, How.ORIGIN, s.get().name(), check.match() == BranchRules.PickMatch.DIFFERS));
                }
            }
        }
        PatchId.Patch mine = rules.patches().of(c.sha());
        for (History.Commit p : candidates) {
            if (!p.time().isBefore(since) && rules.patches().of(p.sha()).sameChange(mine)) {
                return Optional.of(new Present(c.sha(), target, How.PATCH_ID, p.sha(), false));
            }
        }
        return Optional.empty();
    }

    /** Main and the release branches of the hotfix's minor or newer, or the one target asked for when it is one of them. */
    private Map<String, ObjectId> targets(SemVer v, Optional<ObjectId> main, Map<String, ObjectId> releaseBranches) {
        Map<String, ObjectId> all = new LinkedHashMap<>();
        main.ifPresent(m -> all.put(mainRef, m));
        releaseBranches.forEach((name, id) -> {
            Matcher m = BranchRules.RELEASE_BRANCH.matcher(name);
            if (m.matches()) {
                int cmp = new java.math.BigInteger(m.group(1)).compareTo(v.major());
                if (cmp > 0 || cmp == 0 && new java.math.BigInteger(m.group(2)).compareTo(v.minor()) >= 0) {
                    all.put(name, id);
                }
            }
        });
        if (onlyTarget.isEmpty()) {
            return all;
        }
        String name = onlyTarget.get().getKey();
        return all.containsKey(name) || name.equals(mainRef) && main.isPresent()
                ? Map.of(name, ObjectId.fromString(onlyTarget.get().getValue())) : Map.of();
    }

    /** The local release branches, and those of origin that have no local branch. */
    private Map<String, ObjectId> releaseBranches() {
        Map<String, ObjectId> out = new java.util.TreeMap<>();
        Repository repo = history.repository();
        try {
            for (String prefix : List.of(Constants.R_REMOTES + "origin/", Constants.R_HEADS)) {
                for (Ref ref : repo.getRefDatabase().getRefsByPrefix(prefix + "release/")) {
                    String name = ref.getName().substring(prefix.length());
                    if (BranchRules.RELEASE_BRANCH.matcher(name).matches() && ref.getObjectId() != null) {
                        out.put(name, ref.getObjectId());
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read the branches: " + e.getMessage(), e);
        }
        if (onlyTarget.isPresent() && BranchRules.RELEASE_BRANCH.matcher(onlyTarget.get().getKey()).matches()) {
            out.put(onlyTarget.get().getKey(), ObjectId.fromString(onlyTarget.get().getValue()));
        }
        return out;
    }

    /** When the tag was made: the tagger's time of an annotated tag, else its commit's time. */
    private Instant taggedAt(History.ReleaseTag tag) {
        try (RevWalk walk = new RevWalk(history.repository())) {
            Ref ref = history.repository().exactRef(Constants.R_TAGS + tag.name());
            RevObject o = walk.parseAny(ref.getObjectId());
            if (o instanceof RevTag t && t.getTaggerIdent() != null) {
                return t.getTaggerIdent().getWhenAsInstant();
            }
            return commitTime(tag.commit());
        } catch (IOException e) {
            throw new InputException("cannot read tag " + tag.name() + ": " + e.getMessage(), e);
        }
    }

    private Instant commitTime(String sha) {
        try (RevWalk walk = new RevWalk(history.repository())) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
            return c.getCommitterIdent().getWhenAsInstant();
        } catch (IOException e) {
            throw new InputException("cannot read commit " + sha + ": " + e.getMessage(), e);
        }
    }
}
