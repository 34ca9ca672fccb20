package io.releasegate.version;

import io.releasegate.commits.BranchRules;
import io.releasegate.commits.ConventionalCommit;
import io.releasegate.commits.ForwardPort;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The next release version from the last reachable release tag and the Conventional Commits since.
 *
 * <ul>
 *   <li>SemVer: a breaking change bumps MAJOR (MINOR while MAJOR is 0, as SemVer's initial
 *   development allows), a {@code feat} MINOR, a {@code fix}, {@code perf} or {@code revert} PATCH;
 *   other types (docs, chore, test, ci, …) alone make no release. Without any release tag the first
 *   version is {@code 0.1.0}.</li>
 *   <li>Pre-release: with {@code preRelease("rc")}, {@code X.Y.Z-rc.N} where N follows the highest
 *   existing {@code vX.Y.Z-rc.*} tag.</li>
 *   <li>CalVer (documented variant): {@code YYYY.MM.N}, N counting from 0 within the month (UTC).</li>
 *   <li>Hotfix: on {@code hotfix/X.Y.Z-TICKET} the version is PATCH+1 of the production tag the
 *   branch starts from, and the branch name must say so; the branch is judged by
 *   {@link BranchRules}, as {@code branch check} judges it.</li>
 *   <li>Forward ports: on main or a release branch, a release is refused ({@code release.missing-hotfix})
 *   while a hotfix the branch should contain is missing from it past {@code branches.forwardPortDays}.</li>
 * </ul>
 */
public final class NextVersion {

    /** The hotfix branch name: {@link BranchRules#HOTFIX_BRANCH}, the branch model's. */
    public static final Pattern HOTFIX_BRANCH = BranchRules.HOTFIX_BRANCH;

    /** Versioning scheme. */
    public enum Scheme { SEMVER, CALVER }

    /** The size of the change since the last release. */
    public enum Bump { NONE, PATCH, MINOR, MAJOR }

    /**
     * @param version  the next version (equal to the last release when {@code bump} is NONE)
     * @param release  whether the commits since the last release call for one
     * @param commits  the non-merge commits since the last release, newest first
     */
    public record Result(String version, Optional<String> previousTag, Bump bump, boolean release, String reason,
                         List<History.Commit> commits) {
        public Result {
            commits = List.copyOf(commits);
        }
    }

    private final History history;
    private String rev = "HEAD";
    private Optional<String> branch = Optional.empty();
    private Scheme scheme = Scheme.SEMVER;
    private Optional<String> preRelease = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private String mainRef = "main";
    private int forwardPortDays = io.releasegate.policy.Policy.Branches.DEFAULT_FORWARD_PORT_DAYS;

    public NextVersion(History history) {
        this.history = Objects.requireNonNull(history, "history");
    }

    public NextVersion rev(String value) {
        this.rev = Objects.requireNonNull(value);
        return this;
    }

    /** The branch being built (Jenkins' BRANCH_NAME); defaults to the checked-out branch. */
    public NextVersion branch(Optional<String> value) {
        this.branch = Objects.requireNonNull(value);
        return this;
    }

    public NextVersion scheme(Scheme value) {
        this.scheme = Objects.requireNonNull(value);
        return this;
    }

    public NextVersion preRelease(Optional<String> value) {
        value.ifPresent(p -> {
            if (!p.matches("[0-9A-Za-z-]+")) {
                throw new InputException("pre-release label '" + p + "' must be letters, digits or '-', e.g. rc");
            }
        });
        this.preRelease = value;
        return this;
    }

    /** The trunk (default {@code main}): a hotfix carries nothing from it. */
    public NextVersion mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        return this;
    }

    /** The policy's {@code branches.forwardPortDays}: how long a hotfix may be missing from main or a release branch. */
    public NextVersion forwardPortDays(int value) {
        this.forwardPortDays = value;
        return this;
    }

    public NextVersion clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    /**
     * The next version; on main or a release branch, refused ({@code release.missing-hotfix}) while a hotfix that
     * branch should contain is missing from it past {@code branches.forwardPortDays} ({@link ForwardPort}).
     */
    public Result call() {
        Result r = compute();
        Optional<String> onBranch = branch.isPresent() ? branch : history.currentBranch();
        if (r.release() && onBranch.isPresent() && (onBranch.get().equals(mainRef)
                || BranchRules.RELEASE_BRANCH.matcher(onBranch.get()).matches())) {
            List<ForwardPort.Missing> overdue = new ForwardPort(history).mainRef(mainRef).days(forwardPortDays).clock(clock)
                    .target(onBranch.get(), rev).call().overdue();
            if (!overdue.isEmpty()) {
                throw new RefusedException(overdue.stream().map(ForwardPort.Missing::refusal).toList());
            }
        }
        return r;
    }

    private Result compute() {
        Optional<History.ReleaseTag> last = history.lastRelease(rev);
        List<History.Commit> since = history.range(last.map(History.ReleaseTag::commit), rev).stream()
                .filter(c -> !c.isMerge()).toList();
        Optional<String> onBranch = branch.isPresent() ? branch : history.currentBranch();
        if (onBranch.isPresent()) {
            if (HOTFIX_BRANCH.matcher(onBranch.get()).matches()) {
                return hotfix(onBranch.get());
            }
            if (onBranch.get().startsWith("hotfix/")) {
                throw new InputException("hotfix branch '" + onBranch.get() + "' must be named hotfix/X.Y.Z-TICKET, "
                        + "e.g. hotfix/1.4.2-INC-1");
            }
        }
        if (scheme == Scheme.CALVER) {
            return calver(last, since);
        }
        Bump bump = bump(since);
        SemVer base = last.map(History.ReleaseTag::version).orElse(null);
        String reason;
        SemVer next;
        if (base == null) {
            next = SemVer.parse("0.1.0");
            bump = since.isEmpty() ? Bump.NONE : Bump.MINOR;
            reason = "no release tag yet: first version";
        } else {
            next = apply(base, bump);
            reason = switch (bump) {
                case NONE -> "no feat, fix, perf, revert or breaking commit since " + last.get().name();
                case PATCH -> "fixes since " + last.get().name();
                case MINOR -> "new features since " + last.get().name();
                case MAJOR -> "breaking changes since " + last.get().name();
            };
        }
        boolean release = base == null ? !since.isEmpty() : bump != Bump.NONE;
        String version = next.toString();
        if (preRelease.isPresent() && release) {
            version = next + "-" + preRelease.get() + "." + nextPreReleaseNumber(next, preRelease.get());
        }
        return new Result(version, last.map(History.ReleaseTag::name), bump, release, reason, since);
    }

    /** A hotfix, judged by {@link BranchRules} as {@code branch check} judges it: refused with every broken rule. */
    private Result hotfix(String name) {
        BranchRules.Hotfix verdict = new BranchRules(history).mainRef(mainRef).hotfix(name, rev);
        if (!verdict.ok()) {
            throw new RefusedException(verdict.breaches().stream().map(BranchRules.Breach::refusal).toList());
        }
        History.ReleaseTag prod = verdict.productionTag().orElseThrow();
        return new Result(verdict.named().toString(), Optional.of(prod.name()), Bump.PATCH, true, "hotfix of " + prod.name(),
                history.range(Optional.of(prod.commit()), rev).stream().filter(c -> !c.isMerge()).toList());
    }

    private Result calver(Optional<History.ReleaseTag> last, List<History.Commit> since) {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        BigInteger year = BigInteger.valueOf(now.getYear());
        BigInteger month = BigInteger.valueOf(now.getMonthValue());
        BigInteger micro = BigInteger.ZERO;
        for (History.ReleaseTag t : history.releaseTags()) {
            SemVer v = t.version();
            if (v.major().equals(year) && v.minor().equals(month) && !v.isPreRelease() && v.patch().compareTo(micro) >= 0) {
                micro = v.patch().add(BigInteger.ONE);
            }
        }
        SemVer next = new SemVer(year, month, micro, List.of(), Optional.empty());
        boolean release = !since.isEmpty();
        return new Result(release ? next.toString() : last.map(t -> t.version().toString()).orElse(next.toString()),
                last.map(History.ReleaseTag::name), release ? Bump.PATCH : Bump.NONE, release,
                release ? "CalVer: release " + micro + " of " + year + "." + String.format("%02d", now.getMonthValue())
                        : "no commits since the last release", since);
    }

    private int nextPreReleaseNumber(SemVer next, String label) {
        int n = 0;
        for (History.ReleaseTag t : history.releaseTags()) {
            SemVer v = t.version();
            if (v.major().equals(next.major()) && v.minor().equals(next.minor()) && v.patch().equals(next.patch())
                    && v.preRelease().size() == 2 && v.preRelease().get(0).equals(label)
                    && v.preRelease().get(1).matches("\\d+")) {
                n = Math.max(n, Integer.parseInt(v.preRelease().get(1)));
            }
        }
        return n + 1;
    }

    static Bump bump(List<History.Commit> commits) {
        Bump bump = Bump.NONE;
        for (History.Commit c : commits) {
            Optional<ConventionalCommit> cc = c.conventional();
            if (cc.isEmpty()) {
                continue;
            }
            Bump b = cc.get().breaking() ? Bump.MAJOR : switch (cc.get().type()) {
                case "feat" -> Bump.MINOR;
                case "fix", "perf", "revert" -> Bump.PATCH;
                default -> Bump.NONE;
            };
            if (b.compareTo(bump) > 0) {
                bump = b;
            }
        }
        return bump;
    }

    static SemVer apply(SemVer base, Bump bump) {
        BigInteger one = BigInteger.ONE;
        return switch (bump) {
            case NONE -> base;
            case PATCH -> new SemVer(base.major(), base.minor(), base.patch().add(one), List.of(), Optional.empty());
            case MINOR -> new SemVer(base.major(), base.minor().add(one), BigInteger.ZERO, List.of(), Optional.empty());
            case MAJOR -> base.major().signum() == 0
                    ? new SemVer(base.major(), base.minor().add(one), BigInteger.ZERO, List.of(), Optional.empty())
                    : new SemVer(base.major().add(one), BigInteger.ZERO, BigInteger.ZERO, List.of(), Optional.empty());
        };
    }
}
