package io.releasegate.commits;

import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.policy.CommittedFiles;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;

/**
 * The one owner of the hotfix and release branch rules: {@code branch check}, {@code next-version}, the pipeline plan,
 * {@code tag} and {@code forward-port check} all judge a branch here, so they always agree.
 *
 * <ul>
 *   <li><b>Hotfix</b> {@code hotfix/X.Y.Z-TICKET}: the branch starts at a production tag (the last release reachable from
 *   it, {@code branch.hotfix-from-production-tag}), names PATCH+1 of that tag ({@code version.hotfix-patch}: from
 *   {@code v1.4.2} the branch is {@code hotfix/1.4.3-…}), and carries nothing from main after that tag
 *   ({@code branch.hotfix-from-production-tag}, for each commit). Once the hotfix is tagged ({@code vX.Y.Z} on the
 *   branch's commit) the production tag it was cut from is the release before it.</li>
 *   <li><b>Release</b> {@code release/X.Y}: after the cutoff (where it left main) it takes no merge and no feature
 *   ({@code branch.release-after-cutoff}), only reverts, {@code git cherry-pick -x} of commits on main, and fixes made
 *   directly on it that {@link ReleaseFixJustifications} on main justifies ({@code branch.release-fix-not-from-main}
 *   otherwise). A {@code (cherry picked from commit S)} line is a claim that is checked: the pick must carry S's change
 *   ({@link PatchId}); one that differs (a conflict resolved by hand) is a finding naming the files and hunks that
 *   differ, one with no file in common with S is a violation ({@code branch.cherry-pick-unrelated}).</li>
 *   <li><b>Train</b>: when main declares a release train ({@code release-train.yaml}) with release branches, its
 *   {@code release/X.Y} takes after the cutoff nothing but {@code -x} cherry-picks of commits on main
 *   ({@code train.pick-only}: not even a justified fix), each with a {@code Ticket:} footer and one {@code Risk:} footer
 *   of low, medium or high ({@code train.pick-unclassified}).</li>
 * </ul>
 */
public final class BranchRules {

    /** {@code hotfix/X.Y.Z-TICKET}: group 1 the version, group 2 the ticket. */
    public static final Pattern HOTFIX_BRANCH = Pattern.compile("^hotfix/(\\d+\\.\\d+\\.\\d+)-([A-Z][A-Z0-9]*-\\d+)$");

    /** {@code release/X.Y}: group 1 MAJOR, group 2 MINOR. */
    public static final Pattern RELEASE_BRANCH = Pattern.compile("^release/(\\d+)\\.(\\d+)$");

    /** One broken rule: the rule, the commit when a commit broke it, what was found and what would satisfy the rule. */
    public record Breach(String rule, Optional<String> commit, String message, String remedy) {
        public Refusal refusal() {
            return new Refusal(rule, message, remedy);
        }
    }

    /**
     * The verdict on a hotfix branch.
     *
     * @param named          the version the branch name gives
     * @param productionTag  the production tag it starts from, when there is one
     * @param breaches       what is wrong (empty when the branch follows the rules)
     */
    public record Hotfix(String branch, SemVer named, Optional<History.ReleaseTag> productionTag, List<Breach> breaches) {
        public Hotfix {
            breaches = List.copyOf(breaches);
        }

        public boolean ok() {
            return breaches.isEmpty();
        }
    }

    /** The verdict on a release branch: where it left main, what breaks the rules, and what is worth a look (findings). */
    public record ReleaseBranch(String branch, String cutoff, List<Breach> breaches, List<Breach> findings) {
        public ReleaseBranch {
            breaches = List.copyOf(breaches);
            findings = List.copyOf(findings);
        }
    }

    /** How a cherry-pick compares with the commit its {@code (cherry picked from commit S)} line names. */
    public enum PickMatch { SAME, DIFFERS, UNRELATED }

    /** The check of one cherry-pick claim: the match and, when it differs, the files and hunks that do. */
    public record PickCheck(String pick, String original, PickMatch match, List<String> differences) {
        public PickCheck {
            differences = List.copyOf(differences);
        }
    }

    private final History history;
    private final PatchId patches;
    private String mainRef = "main";
    private Clock clock = Clock.systemUTC();

    public BranchRules(History history) {
        this.history = Objects.requireNonNull(history, "history");
        this.patches = new PatchId(history.repository());
    }

    public BranchRules mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        return this;
    }

    public BranchRules clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public String mainRef() {
        return mainRef;
    }

    public PatchId patches() {
        return patches;
    }

    /** The version a hotfix branch's name gives; empty when the name is not {@code hotfix/X.Y.Z-TICKET}. */
    public static Optional<SemVer> hotfixVersion(String branch) {
        Matcher m = HOTFIX_BRANCH.matcher(branch);
        return m.matches() ? Optional.of(SemVer.parse(m.group(1))) : Optional.empty();
    }

    /** The verdict on the hotfix branch {@code branch} at {@code rev}; an input error when the name is not a hotfix's. */
    public Hotfix hotfix(String branch, String rev) {
        SemVer named = hotfixVersion(branch).orElseThrow(() -> new InputException("hotfix branch '" + branch
                + "' must be named hotfix/X.Y.Z-TICKET, e.g. hotfix/1.4.2-INC-1"));
        List<Breach> breaches = new ArrayList<>();
        Optional<History.ReleaseTag> tag = history.lastRelease(rev);
        String head = history.resolve(rev).name();
        if (tag.isPresent() && tag.get().version().equals(named) && tag.get().commit().equals(head)) {
            // the hotfix is tagged: it was cut from the release before it
            tag = history.lastRelease(rev, Optional.of(named));
        }
        if (tag.isEmpty()) {
            breaches.add(new Breach("branch.hotfix-from-production-tag", Optional.empty(),
                    branch + " does not start from any release tag",
                    "cut the hotfix branch from the production tag: git switch -c " + branch + " vX.Y.Z"));
            return new Hotfix(branch, named, tag, breaches);
        }
        SemVer prod = tag.get().version();
        SemVer expected = patchPlusOne(prod);
        if (!named.equals(expected)) {
            breaches.add(new Breach("version.hotfix-patch", Optional.empty(),
                    branch + " names " + named + " but it starts from production tag " + tag.get().name(),
                    "a hotfix is PATCH+1 of the production tag: name the branch hotfix/" + expected + "-TICKET"));
        }
        // everything between the tag and the hotfix head must be the hotfix's own work, not main's
        Optional<ObjectId> main = optionalResolve(mainRef);
        if (main.isPresent()) {
            for (History.Commit c : history.range(Optional.of(tag.get().commit()), rev)) {
                if (reachable(c.sha(), main.get())) {
                    breaches.add(new Breach("branch.hotfix-from-production-tag", Optional.of(c.sha()),
                            branch + " carries " + c.shortSha() + " \"" + c.subject() + "\" from " + mainRef + ", after "
                                    + tag.get().name() + ": cut hotfixes from the production tag, not from " + mainRef,
                            "cut the hotfix branch from the production tag (git switch -c " + branch + " " + tag.get().name()
                                    + ") and cherry-pick only the fix"));
                }
            }
        }
        return new Hotfix(branch, named, tag, breaches);
    }

    static SemVer patchPlusOne(SemVer v) {
        return new SemVer(v.major(), v.minor(), v.patch().add(BigInteger.ONE), List.of(), Optional.empty());
    }

    /** The verdict on the release branch {@code branch} at {@code rev}, against main. */
    public ReleaseBranch release(String branch, String rev) {
        ObjectId main = optionalResolve(mainRef).orElseThrow(() -> new InputException("cannot check a release branch without '"
                + mainRef + "' to compare with"));
        ObjectId cutoff = mergeBase(history.resolve(rev), main);
        ReleaseFixJustifications justified = justifications();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<Breach> breaches = new ArrayList<>();
        List<Breach> findings = new ArrayList<>();
        boolean trainBranch = train().map(io.releasegate.train.TrainConfig::releaseBranch).orElse(false);
        for (History.Commit c : history.range(Optional.of(cutoff.name()), rev)) {
            if (trainBranch) {
                Optional<Breach> t = trainPick(c, branch);
                t.ifPresent(breaches::add);
                if (t.isPresent() && t.get().rule().equals(TRAIN_PICK_ONLY)) {
                    continue; // nothing but a pick is allowed, whatever the other rules would say of it
                }
            }
            if (c.isMerge()) {
                breaches.add(new Breach("branch.release-after-cutoff", Optional.of(c.sha()),
                        c.shortSha() + " is a merge; after the cutoff a release branch takes only cherry-picks",
                        "fix on " + mainRef + " first, then cherry-pick with -x"));
                continue;
            }
            Optional<ConventionalCommit> cc = c.conventional();
            Optional<String> picked = cc.flatMap(ConventionalCommit::cherryPickedFrom);
            if (picked.isPresent()) {
                Optional<ObjectId> original = optionalResolve(picked.get());
                if (original.isEmpty() || !reachable(original.get().name(), main)) {
                    breaches.add(new Breach("branch.release-after-cutoff", Optional.of(c.sha()),
                            c.shortSha() + " is cherry-picked from " + picked.get().substring(0, 7) + ", which is not on "
                                    + mainRef, "fix on " + mainRef + " first, then cherry-pick with -x"));
                    continue;
                }
                PickCheck pick = verifyPick(c.sha(), original.get().name());
                if (pick.match() == PickMatch.UNRELATED) {
                    breaches.add(new Breach("branch.cherry-pick-unrelated", Optional.of(c.sha()),
                            c.shortSha() + " \"" + c.subject() + "\" says it is cherry-picked from " + picked.get().substring(0, 7)
                                    + " but has no file in common with it: " + pick.differences(),
                            "cherry-pick the commit itself (git cherry-pick -x " + picked.get().substring(0, 12)
                                    + "); a change of its own is a fix on " + mainRef + " first"));
                } else if (pick.match() == PickMatch.DIFFERS) {
                    findings.add(new Breach("branch.cherry-pick-differs", Optional.of(c.sha()),
                            c.shortSha() + " does not carry exactly the change of " + picked.get().substring(0, 7)
                                    + " (a conflict resolved by hand?): " + pick.differences(),
                            "review the differences; they are what " + branch + " ships that " + mainRef + " did not review"));
                }
                continue;
            }
            String type = cc.map(ConventionalCommit::type).orElse("");
            if (type.equals("revert")) {
                continue;
            }
            if (type.equals("fix")) {
                Optional<String> no = justified.whyNot(c, branch, today);
                if (no.isPresent()) {
                    breaches.add(new Breach("branch.release-fix-not-from-main", Optional.of(c.sha()),
                            c.shortSha() + " \"" + c.subject() + "\" is a fix made directly on " + branch
                                    + ", not cherry-picked from " + mainRef + ", and it is not justified: " + no.get(),
                            "fix on " + mainRef + " and cherry-pick it with git cherry-pick -x, or, when only " + branch
                                    + " needs it, justify it in " + ReleaseFixJustifications.FILE + " on " + mainRef
                                    + " (commit " + c.sha() + ", branch " + branch + ", reason, ticket, author, approvers "
                                    + "other than its author)"));
                }
                continue;
            }
            breaches.add(new Breach("branch.release-after-cutoff", Optional.of(c.sha()),
                    c.shortSha() + " \"" + c.subject() + "\" is not a fix, a revert or a -x cherry-pick of a commit on " + mainRef,
                    "make the change on " + mainRef + " and release it from there"));
        }
        return new ReleaseBranch(branch, cutoff.name(), breaches, findings);
    }

    /** The risk classes a cherry-pick onto a train's release branch names in its {@code Risk:} footer. */
    static final String TRAIN_PICK_ONLY = "train.pick-only";

    public static final java.util.Set<String> RISKS = java.util.Set.of("low", "medium", "high");

    /**
     * On a train's release branch, from its cutoff on: every commit is a {@code -x} cherry-pick of a commit on main with
     * a {@code Ticket:} footer and a {@code Risk:} footer (low, medium or high); empty when {@code c} is one. Whether the
     * pick carries its original's change is judged with every release branch's.
     */
    private Optional<Breach> trainPick(History.Commit c, String branch) {
        Optional<ConventionalCommit> cc = c.conventional();
        String remedy = "fix on " + mainRef + ", then git cherry-pick -x it onto " + branch + " and add the footers "
                + "Ticket: <id> and Risk: low|medium|high (git commit --amend)";
        if (cc.flatMap(ConventionalCommit::cherryPickedFrom).isEmpty()) {
            return Optional.of(new Breach(TRAIN_PICK_ONLY, Optional.of(c.sha()), c.shortSha() + " \"" + c.subject()
                    + "\" is not a -x cherry-pick of a commit on " + mainRef + ": during a train's stabilization " + branch
                    + " takes nothing else (the train file " + io.releasegate.train.TrainConfig.FILE + " on " + mainRef + ")",
                    remedy));
        }
        boolean ticket = cc.get().footer("Ticket").stream().anyMatch(t -> !t.isBlank());
        List<String> risk = cc.get().footer("Risk").stream().map(r -> r.strip().toLowerCase(java.util.Locale.ROOT)).toList();
        if (!ticket || risk.size() != 1 || !RISKS.contains(risk.get(0))) {
            return Optional.of(new Breach("train.pick-unclassified", Optional.of(c.sha()), c.shortSha() + " \"" + c.subject()
                    + "\" is cherry-picked onto the train's " + branch + " without " + (!ticket ? "a Ticket: footer"
                    : "one Risk: footer of " + new java.util.TreeSet<>(RISKS) + " (found " + risk + ")"), remedy));
        }
        return Optional.empty();
    }

    /** The release train main declares ({@link io.releasegate.train.TrainConfig#FILE}); empty when it declares none. */
    public Optional<io.releasegate.train.TrainConfig> train() {
        return optionalResolve(mainRef).flatMap(main -> io.releasegate.train.TrainConfig.at(history, main.name(), mainRef));
    }

    /** The release-branch fix justifications as main has them; none when main has no such file. */
    public ReleaseFixJustifications justifications() {
        Optional<ObjectId> main = optionalResolve(mainRef);
        if (main.isEmpty()) {
            return ReleaseFixJustifications.none();
        }
        String file = ReleaseFixJustifications.FILE;
        return CommittedFiles.read(history.repository(), main.get().name(), file)
                .map(t -> ReleaseFixJustifications.parse(file + "@" + mainRef, t)).orElse(ReleaseFixJustifications.none());
    }

    /** Whether {@code pick} carries the change of {@code original}: the same patch id, a differing one, or nothing in common. */
    public PickCheck verifyPick(String pick, String original) {
        PatchId.Comparison cmp = PatchId.compare(patches.of(pick), patches.of(original));
        PickMatch match = cmp.same() ? PickMatch.SAME : cmp.related() ? PickMatch.DIFFERS : PickMatch.UNRELATED;
        return new PickCheck(pick, original, match, cmp.differences());
    }

    Optional<ObjectId> optionalResolve(String r) {
        try {
            return Optional.ofNullable(history.repository().resolve(r + "^{commit}"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    boolean reachable(String sha, ObjectId from) {
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
